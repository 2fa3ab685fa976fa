package yastack.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import yastack.proxy.fixtures.TestUpstream;

/** SIGTERM as Kubernetes sends it to bin/yastack: drain, finish what is in flight, flush, exit 0. */
class DrainIT {
    static TestUpstream upstream;
    final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(3)).build();

    @BeforeAll
    static void start() throws Exception {
        upstream = new TestUpstream("up");
    }

    @AfterAll
    static void stop() {
        upstream.close();
    }

    record Running(Process process, Path log, Path accessLog, int port, int adminPort) {}

    private Running run(String drain) throws Exception {
        int port = Dist.freePort();
        int adminPort = Dist.freePort();
        Path dir = Files.createTempDirectory("yastack-drain");
        Path accessLog = dir.resolve("access.log");
        Path cfg = dir.resolve("yastack.yaml");
        Files.writeString(cfg, """
                admin: {address: 127.0.0.1, port: %d}
                drain: %s
                access_log: {path: %s}
                listeners:
                  - name: web
                    address: 127.0.0.1
                    port: %d
                    http:
                      route_config:
                        virtual_hosts: [{name: all, domains: ["*"], routes: [{match: {prefix: "/"}, route: {cluster: up, timeout: 0s}}]}]
                clusters:
                  - {name: up, endpoints: [{address: 127.0.0.1, port: %d}]}
                """.formatted(adminPort, drain, accessLog, port, upstream.port()));
        Path log = dir.resolve("yastack.log");
        Process p = Dist.startRun(cfg, log, List.of(), "--workers", "1");
        Dist.awaitReady(adminPort, p, log);
        return new Running(p, log, accessLog, port, adminPort);
    }

    private CompletableFuture<HttpResponse<String>> get(Running r, String path) {
        return client.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + r.port() + path))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private int ready(Running r) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + r.adminPort() + "/ready")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    @Test
    void sigtermDrainsFinishesInFlightFlushesAndExitsZero() throws Exception {
        Running r = run("{delay: 1s, timeout: 10s}");
        for (int i = 0; i < 5; i++) assertEquals(200, get(r, "/warm/" + i).get(10, TimeUnit.SECONDS).statusCode());
        // The last words count from the start: an admin reset of the counters takes nothing from them.
        assertEquals(200, client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + r.adminPort() + "/reset_counters"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString()).statusCode());
        CompletableFuture<HttpResponse<String>> slow = get(r, "/delay/2500");
        Thread.sleep(300);
        long signalled = System.nanoTime();
        r.process().destroy(); // SIGTERM
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        int readyStatus = 0;
        while (System.nanoTime() < deadline && (readyStatus = ready(r)) == 200) Thread.sleep(10);
        assertEquals(503, readyStatus, "/ready turns 503 at once");
        HttpResponse<String> during = get(r, "/during").get(5, TimeUnit.SECONDS);
        assertTrue(System.nanoTime() - signalled < TimeUnit.MILLISECONDS.toNanos(1000), "answered within drain.delay");
        assertEquals(200, during.statusCode());
        assertEquals("close", during.headers().firstValue("connection").orElse(""));

        HttpResponse<String> slowAnswer = slow.get(10, TimeUnit.SECONDS);
        assertEquals(200, slowAnswer.statusCode(), "the request in flight finished");
        assertTrue(r.process().waitFor(10, TimeUnit.SECONDS), "exited after the drain");
        assertEquals(0, r.process().exitValue(), Files.readString(r.log()));
        Thread.sleep(100);
        assertThrows(ConnectException.class, () -> client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + r.port() + "/"))
                .build(), HttpResponse.BodyHandlers.ofString()));

        String log = Files.readString(r.log());
        assertTrue(log.contains("SIGTERM: draining"), log);
        assertTrue(log.contains("drain: done") && log.contains("every connection finished"), log);
        assertTrue(log.contains("exiting with code 0; totals:") && log.contains("http.web.downstream_rq_total=7"), log);
        List<String> lines = Files.readAllLines(r.accessLog());
        assertEquals(7, lines.size(), "every request's access log line was flushed:\n" + String.join("\n", lines));
        assertTrue(lines.stream().anyMatch(l -> l.contains("/delay/2500")), lines.toString());
    }

    @Test
    void theTimeoutCutsWhatIsLeftAndSaysSo() throws Exception {
        Running r = run("{timeout: 1500ms}");
        CompletableFuture<HttpResponse<String>> stuck = get(r, "/delay/8000");
        Thread.sleep(300);
        long signalled = System.nanoTime();
        r.process().destroy();
        assertTrue(r.process().waitFor(10, TimeUnit.SECONDS));
        long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - signalled);
        assertEquals(0, r.process().exitValue());
        assertTrue(took >= 1400 && took < 6000, "exited at the drain timeout, took " + took + " ms");
        assertTrue(stuck.handle((resp, e) -> e != null).get(5, TimeUnit.SECONDS), "the stuck request was cut");
        String log = Files.readString(r.log());
        assertTrue(log.contains("drain: timeout after 1500 ms: cutting 1 connection (1 listener web: http/1.1)"), log);
    }

    @Test
    void aSecondSignalExitsAtOnce() throws Exception {
        Running r = run("{delay: 20s, timeout: 30s}");
        CompletableFuture<HttpResponse<String>> stuck = get(r, "/delay/20000");
        Thread.sleep(300);
        r.process().destroy();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (System.nanoTime() < deadline && ready(r) == 200) Thread.sleep(10);
        long second = System.nanoTime();
        r.process().destroy();
        assertTrue(r.process().waitFor(10, TimeUnit.SECONDS));
        assertTrue(System.nanoTime() - second < TimeUnit.SECONDS.toNanos(6), "exited at once, not after the 20 s delay");
        assertEquals(143, r.process().exitValue());
        assertTrue(stuck.handle((resp, e) -> e != null).get(5, TimeUnit.SECONDS));
        String log = Files.readString(r.log());
        assertTrue(log.contains("SIGTERM again: exiting now") && log.contains("cutting 1 connection"), log);
    }

    @Test
    void quitquitquitExitsAtOnceWithZero() throws Exception {
        Running r = run("{delay: 5s, timeout: 30s}");
        assertEquals(200, get(r, "/before").get(10, TimeUnit.SECONDS).statusCode());
        HttpResponse<String> quit = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + r.adminPort() + "/quitquitquit"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, quit.statusCode());
        assertTrue(r.process().waitFor(10, TimeUnit.SECONDS), "exited without waiting for the 5 s drain delay");
        assertEquals(0, r.process().exitValue());
        String log = Files.readString(r.log());
        assertTrue(log.contains("admin: /quitquitquit, exiting") && log.contains("exiting with code 0"), log);
    }
}
