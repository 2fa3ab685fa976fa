package yastack.proxy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import yastack.proxy.fixtures.ProxyHarness;
import yastack.proxy.fixtures.TestUpstream;

/**
 * Route retry policies through the real proxy. Each cluster pairs a failing endpoint with a
 * good one under round robin, so about half the requests meet the failure first; a retry
 * goes to the other endpoint, so with the policy every request succeeds and the retry
 * counter equals the number of requests the failing endpoint saw.
 */
class RetryPolicyTest {
    /** An upstream that answers every request with one status, after a delay. */
    static final class FixedUpstream implements AutoCloseable {
        final HttpServer server;
        final AtomicInteger requests = new AtomicInteger();

        FixedUpstream(int status, long delayMillis) throws IOException {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
            server.setExecutor(Executors.newCachedThreadPool());
            server.createContext("/", ex -> {
                requests.incrementAndGet();
                ex.getRequestBody().readAllBytes();
                try {
                    Thread.sleep(delayMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                byte[] body = ("fixed " + status + "\n").getBytes();
                ex.sendResponseHeaders(status, body.length);
                ex.getResponseBody().write(body);
                ex.close();
            });
            server.start();
        }

        int port() {
            return server.getAddress().getPort();
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    static TestUpstream good;
    static FixedUpstream bad503, bad500, slow, slower;
    static ProxyHarness proxy;
    static Path accessLog;

    @BeforeAll
    static void start() throws Exception {
        good = new TestUpstream("good");
        bad503 = new FixedUpstream(503, 0);
        bad500 = new FixedUpstream(500, 0);
        slow = new FixedUpstream(200, 3_000);
        slower = new FixedUpstream(200, 1_000);
        int dead = ProxyHarness.freePort();
        accessLog = Files.createTempFile("retry-access", ".log");
        proxy = new ProxyHarness(ProxyHarness.listenerWithRoutes("access_log: {path: " + accessLog + "}", """
                - {match: {prefix: "/5xx/"}, route: {cluster: m5xx, prefix_rewrite: "/", retry_policy: {retry_on: 5xx}}}
                - {match: {prefix: "/codes/"}, route: {cluster: mcodes, prefix_rewrite: "/", retry_policy: {retry_on: "retriable-status-codes", retriable_status_codes: [503]}}}
                - {match: {prefix: "/conn/"}, route: {cluster: mconn, prefix_rewrite: "/", retry_policy: {retry_on: connect-failure}}}
                - {match: {prefix: "/slow/"}, route: {cluster: mslow, prefix_rewrite: "/", timeout: 10s, retry_policy: {retry_on: reset, per_try_timeout: 300ms}}}
                - {match: {prefix: "/gw/"}, route: {cluster: mgw, prefix_rewrite: "/", retry_policy: {retry_on: gateway-error}}}
                - {match: {prefix: "/exhaust/"}, route: {cluster: onlybad, prefix_rewrite: "/", retry_policy: {retry_on: "5xx", num_retries: 2}}}
                - {match: {prefix: "/big/"}, route: {cluster: onlybad2, prefix_rewrite: "/", retry_policy: {retry_on: "5xx"}}}
                - {match: {prefix: "/none/"}, route: {cluster: mnone, prefix_rewrite: "/"}}
                - {match: {prefix: "/cb/"}, route: {cluster: cb, prefix_rewrite: "/", timeout: 5s, retry_policy: {retry_on: reset, per_try_timeout: 200ms}}}
                """) + """
                clusters:
                  - {name: m5xx, endpoints: [{address: 127.0.0.1, port: %1$d}, {address: 127.0.0.1, port: %2$d}]}
                  - {name: mcodes, endpoints: [{address: 127.0.0.1, port: %1$d}, {address: 127.0.0.1, port: %2$d}]}
                  - {name: mnone, endpoints: [{address: 127.0.0.1, port: %1$d}, {address: 127.0.0.1, port: %2$d}]}
                  - {name: mconn, connect_timeout: 1s, endpoints: [{address: 127.0.0.1, port: %3$d}, {address: 127.0.0.1, port: %2$d}]}
                  - {name: mslow, endpoints: [{address: 127.0.0.1, port: %4$d}, {address: 127.0.0.1, port: %2$d}]}
                  - {name: mgw, endpoints: [{address: 127.0.0.1, port: %5$d}, {address: 127.0.0.1, port: %2$d}]}
                  - {name: onlybad, endpoints: [{address: 127.0.0.1, port: %1$d}]}
                  - {name: onlybad2, endpoints: [{address: 127.0.0.1, port: %1$d}]}
                  - {name: cb, circuit_breakers: {max_retries: 1}, endpoints: [{address: 127.0.0.1, port: %6$d}]}
                """.formatted(bad503.port(), good.port(), dead, slow.port(), bad500.port(), slower.port()), 1);
    }

    @AfterAll
    static void stop() throws IOException {
        if (proxy != null) proxy.close();
        Files.deleteIfExists(accessLog);
        good.close();
        bad503.close();
        bad500.close();
        slow.close();
        slower.close();
    }

    private long stat(String cluster, String name) {
        return proxy.stat("cluster." + cluster + "." + name);
    }

    /** Sends {@code n} GETs under {@code prefix}; returns how many were not 200. */
    private int failures(String prefix, int n) throws Exception {
        int failed = 0;
        for (int i = 0; i < n; i++) {
            HttpResponse<String> r = proxy.get(prefix + "r" + i);
            if (r.statusCode() != 200) failed++;
            else assertTrue(r.body().contains("upstream=good"), r.body());
        }
        return failed;
    }

    @Test
    void a5xxIsRetriedOnTheOtherEndpoint() throws Exception {
        int before = bad503.requests.get();
        long retries = stat("m5xx", "upstream_rq_retry");
        long successes = stat("m5xx", "upstream_rq_retry_success");
        assertEquals(0, failures("/5xx/", 10));
        int sawBad = bad503.requests.get() - before;
        assertTrue(sawBad > 0, "round robin sent some requests to the failing endpoint first");
        assertEquals(retries + sawBad, stat("m5xx", "upstream_rq_retry"));
        assertEquals(successes + sawBad, stat("m5xx", "upstream_rq_retry_success"));
        assertTrue(stat("m5xx", "upstream_rq_5xx") >= sawBad, "each dropped 503 still counts as an upstream 5xx");
    }

    @Test
    void withoutAPolicyTheFailureReachesTheClient() throws Exception {
        int before = bad503.requests.get();
        int failed = failures("/none/", 10);
        assertEquals(bad503.requests.get() - before, failed, "every 503 reaches the client");
        assertTrue(failed > 0, "round robin sent some requests to the failing endpoint");
        assertEquals(0, stat("mnone", "upstream_rq_retry"));
    }

    @Test
    void retriableStatusCodes() throws Exception {
        int before = bad503.requests.get();
        long retries = stat("mcodes", "upstream_rq_retry");
        assertEquals(0, failures("/codes/", 8));
        int sawBad = bad503.requests.get() - before;
        assertTrue(sawBad > 0, "round robin sent some requests to the failing endpoint first");
        assertEquals(retries + sawBad, stat("mcodes", "upstream_rq_retry"), "each listed 503 retried once");
    }

    @Test
    void gatewayErrorDoesNotRetryA500() throws Exception {
        int before = bad500.requests.get();
        int failed = failures("/gw/", 8);
        assertEquals(bad500.requests.get() - before, failed, "every 500 reaches the client");
        assertTrue(failed > 0);
        assertEquals(0, stat("mgw", "upstream_rq_retry"));
    }

    @Test
    void connectFailureIsRetried() throws Exception {
        long retries = stat("mconn", "upstream_rq_retry");
        long connectFailures = stat("mconn", "upstream_cx_connect_fail");
        assertEquals(0, failures("/conn/", 10));
        long failedNow = stat("mconn", "upstream_cx_connect_fail") - connectFailures;
        assertTrue(failedNow > 0, "round robin tried the dead endpoint");
        assertEquals(failedNow, stat("mconn", "upstream_rq_retry") - retries, "each refused connect retried once");
    }

    @Test
    void perTryTimeoutMovesOnWithinTheRouteTimeout() throws Exception {
        long start = System.nanoTime();
        assertEquals(0, failures("/slow/", 4));
        assertTrue(stat("mslow", "upstream_rq_per_try_timeout") > 0);
        assertEquals(stat("mslow", "upstream_rq_per_try_timeout"), stat("mslow", "upstream_rq_retry"));
        assertTrue(System.nanoTime() - start < 8_000_000_000L, "the slow endpoint's 3 s answers were not waited for");
    }

    @Test
    void retriesRunOutAndTheLastAnswerIsForwarded() throws Exception {
        int before = bad503.requests.get();
        long retries = stat("onlybad", "upstream_rq_retry");
        long exceeded = stat("onlybad", "upstream_rq_retry_limit_exceeded");
        HttpResponse<String> r = proxy.get("/exhaust/x");
        assertEquals(503, r.statusCode());
        assertEquals("fixed 503\n", r.body());
        assertEquals(3, bad503.requests.get() - before, "the try and two retries");
        assertEquals(retries + 2, stat("onlybad", "upstream_rq_retry"));
        assertEquals(exceeded + 1, stat("onlybad", "upstream_rq_retry_limit_exceeded"));
        String line = "";
        for (int i = 0; i < 100 && line.isEmpty(); i++) {
            line = Files.readAllLines(accessLog).stream().filter(l -> l.contains("/exhaust/x")).findFirst().orElse("");
            if (line.isEmpty()) Thread.sleep(50);
        }
        assertTrue(line.contains("\"response_flags\":\"URX\""), line);
    }

    @Test
    void aPostBodyIsReplayedOnTheRetry() throws Exception {
        byte[] body = new byte[20_000];
        ThreadLocalRandom.current().nextBytes(body);
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
        for (int i = 0; i < 4; i++) {
            HttpResponse<String> r = proxy.client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.port + "/5xx/upload"))
                    .timeout(Duration.ofSeconds(20)).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
            assertEquals(body.length + " " + sha, r.body());
        }
    }

    @Test
    void aBodyTooLargeToReplayIsNotRetried() throws Exception {
        long retries = stat("onlybad2", "upstream_rq_retry");
        byte[] body = new byte[RetryState.REPLAY_LIMIT + 1];
        HttpResponse<String> r = proxy.client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.port + "/big/upload"))
                .timeout(Duration.ofSeconds(20)).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(503, r.statusCode());
        assertEquals(retries, stat("onlybad2", "upstream_rq_retry"));
    }

    @Test
    void theCircuitBreakerCapsRetriesInFlight() throws Exception {
        // Four requests time out on their first try together; max_retries: 1 lets one retry.
        List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            all.add(proxy.client.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.port + "/cb/" + i))
                    .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString()));
        }
        for (var f : all) assertEquals(504, f.get(20, TimeUnit.SECONDS).statusCode());
        assertEquals(1, stat("cb", "upstream_rq_retry"));
        assertEquals(3, stat("cb", "upstream_rq_retry_overflow"));
    }
}
