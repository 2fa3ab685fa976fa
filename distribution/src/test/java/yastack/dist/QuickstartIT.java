package yastack.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** `yastack quickstart` as the README runs it: every curl line it prints works. */
class QuickstartIT {
    @Test
    void everyPrintedCurlWorks() throws Exception {
        for (int port : new int[] {8080, 9901, 19001, 19002, 19003}) {
            try (var s = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
                s.setReuseAddress(true);
            } catch (IOException e) {
                throw new AssertionError("the quickstart needs 127.0.0.1:" + port + " free: " + e.getMessage());
            }
        }
        Path log = Files.createTempFile("quickstart", ".log");
        Process p = new ProcessBuilder(Dist.BIN.toString(), "quickstart").redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            Dist.awaitReady(9901, p, log);
            HttpClient c = HttpClient.newHttpClient();
            HttpResponse<String> health = get(c, "/healthz");
            assertEquals(200, health.statusCode());
            assertEquals("ok\n", health.body());
            String first = get(c, "/api/hello", "cookie", "ab=a").body();
            String second = get(c, "/api/hello", "cookie", "ab=a").body();
            assertTrue(first.contains("\"uri\" : \"/hello\""), first);
            assertTrue(List.of(first, second).stream().anyMatch(b -> b.contains("api-1"))
                    && List.of(first, second).stream().anyMatch(b -> b.contains("api-2")), "round robin: " + first + second);
            assertTrue(get(c, "/api/hi", "x-canary", "1").body().contains("\"upstream\" : \"web\""));
            HttpResponse<String> ab = get(c, "/api/hi", "cookie", "ab=b");
            assertTrue(ab.body().contains("\"upstream\" : \"web\""), "A/B plugin sends variant b to canary: " + ab.body());
            assertTrue(ab.headers().firstValue("x-client").isPresent(), ab.headers().toString());
            HttpResponse<String> redirect = get(c, "/old/page");
            assertEquals(301, redirect.statusCode());
            editedScriptAppliesAtOnce(c, Files.readString(log));
            assertTrue(c.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:9901/stats")).build(),
                    HttpResponse.BodyHandlers.ofString()).body().contains("http.web.downstream_rq_total"));
            String out = Files.readString(log);
            assertTrue(out.contains("curl -i http://127.0.0.1:8080/healthz"), out);
            assertTrue(out.contains("curl -s --http2-prior-knowledge http://127.0.0.1:8080/api/hello"), out);
            Process h2 = new ProcessBuilder("curl", "-sS", "--max-time", "10", "--http2-prior-knowledge", "-w", "\nversion=%{http_version}",
                    "http://127.0.0.1:8080/api/hello").redirectErrorStream(true).start();
            String h2Body = new String(h2.getInputStream().readAllBytes());
            assertTrue(h2.waitFor(20, TimeUnit.SECONDS));
            assertTrue(h2Body.contains("\"uri\" : \"/hello\"") && h2Body.endsWith("version=2"), "over HTTP/2 with prior knowledge: " + h2Body);
            if ("root".equals(System.getProperty("user.name"))) {
                // As root the quickstart also serves the routes through the Java TCP stack on a TAP device.
                assertTrue(out.contains("curl -s http://10.213.8.2:8080/api/hello"), out);
                assertTrue(out.contains("listener web_userspace: http on 10.213.8.2:8080 flavor userspace"), out);
                Process curl = new ProcessBuilder("curl", "-sS", "--max-time", "10", "http://10.213.8.2:8080/api/hello")
                        .redirectErrorStream(true).start();
                String body = new String(curl.getInputStream().readAllBytes());
                assertTrue(curl.waitFor(20, TimeUnit.SECONDS));
                assertTrue(body.contains("\"uri\" : \"/hello\""), "through the userspace stack: " + body);
            }
            assertTrue(out.contains("listener web: http on 127.0.0.1:8080 flavor host"), out);
        } finally {
            Dist.stop(p);
        }
    }

    /** The JavaScript filter answers /js; the quickstart prints its path, and an edit shows on the next requests. */
    private static void editedScriptAppliesAtOnce(HttpClient c, String out) throws Exception {
        Path script = Dist.HOME.resolve("examples/scripts/filters/greeting.js").toAbsolutePath().normalize();
        assertTrue(out.contains("curl -si http://127.0.0.1:8080/js") && out.contains(script.toString()), out);
        HttpResponse<String> js = get(c, "/js");
        assertEquals(200, js.statusCode());
        assertEquals("hello from JavaScript\n", js.body());
        assertEquals(List.of("text/plain"), js.headers().allValues("content-type"));
        HttpResponse<String> routed = get(c, "/api/hello");
        assertEquals("greeting.js", routed.headers().firstValue("x-script").orElse(null), "onResponse runs on routed responses");
        String original = Files.readString(script);
        try {
            Files.writeString(script, original.replace("'hello from JavaScript'", "'hello, edited'"));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            String body = "";
            while (System.nanoTime() < deadline && !(body = get(c, "/js").body()).equals("hello, edited\n")) Thread.sleep(100);
            assertEquals("hello, edited\n", body, "the edited script serves without a restart");
        } finally {
            Files.writeString(script, original);
        }
    }

    private static HttpResponse<String> get(HttpClient c, String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:8080" + path));
        for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        return c.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
