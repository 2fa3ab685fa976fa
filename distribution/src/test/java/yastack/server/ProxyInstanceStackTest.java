package yastack.server;

import yastack.kernel.fixtures.NetSetup;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import yastack.config.ConfigLoader;
import yastack.kernel.fixtures.Shell;
import yastack.server.ProxyInstance;

/** A config with a {@code stack:} section, started the way {@code yastack run} does: the data plane comes up with it. */
class ProxyInstanceStackTest {
    @Test
    void runStartsTheDataPlaneFromConfig() throws Exception {
        NetSetup.requireRootAnd("ping", "ip");
        String dev = "ydp" + NetSetup.suffix();
        int n = NetSetup.subnet();
        String ours = "10.76." + n + ".2";
        String yaml = """
                stack:
                  workers: 2
                  idle: adaptive
                  rss: {mode: software, steering: toeplitz}
                  interfaces: [{name: t0, backend: tap, device: %s, ip: %s/24, mtu: 1500}]
                """.formatted(dev, ours);
        try (ProxyInstance p = ProxyInstance.start(ConfigLoader.parse(yaml, Path.of(".")), 2, 0, false)) {
            assertNotNull(p.dataplane());
            Shell.must("ip", "addr", "add", "10.76." + n + ".1/24", "dev", dev);
            assertEquals(20, NetSetup.ping20(ours));
            HttpClient http = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + p.adminPort();
            JsonObject stack = new JsonObject(http.send(HttpRequest.newBuilder(URI.create(base + "/stack")).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            JsonObject itf = stack.getJsonArray("interfaces").getJsonObject(0);
            assertEquals("t0", itf.getString("name"));
            assertEquals(dev, itf.getString("device"));
            assertEquals("software", itf.getJsonObject("rss").getString("effective"));
            assertTrue(itf.getJsonArray("arp").size() >= 1, "the kernel side is in the neighbour cache");
            JsonArray workers = new JsonArray(http.send(HttpRequest.newBuilder(URI.create(base + "/workers")).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            assertEquals(2, workers.size());
            String prom = http.send(HttpRequest.newBuilder(URI.create(base + "/stats/prometheus")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertTrue(prom.contains("echo_replies_sent"), "stack counters exported");
            assertEquals(200, call(http, "POST", base + "/workers/1/drain").statusCode());
            assertTrue(p.dataplane().workers().isDrained(1));
            assertEquals(405, call(http, "GET", base + "/workers/1/drain").statusCode());
            assertEquals(404, call(http, "POST", base + "/workers/7/drain").statusCode());
            assertEquals(404, call(http, "POST", base + "/workers/x/drain").statusCode());
            assertEquals(200, call(http, "POST", base + "/workers/1/undrain").statusCode());
            assertTrue(p.dataplane().workers().isLive(1));
        } finally {
            Shell.quietly("ip", "link", "del", dev);
        }
    }

    private static HttpResponse<String> call(HttpClient http, String method, String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).method(method, HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
