package yastack.proxy;

import yastack.proxy.fixtures.ProxyHarness;
import yastack.proxy.fixtures.TestUpstream;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Active health checks through the real proxy: an endpoint whose check fails takes no
 * traffic while it serves other paths fine, takes traffic again once its check passes
 * healthy_threshold times, and a TCP check keeps a dead port out of the rotation.
 */
class HealthCheckTest {
    /** Answers /healthz with a settable status and everything else with 200 "sick-one". */
    static final class SwitchableUpstream implements AutoCloseable {
        final HttpServer server;
        final AtomicInteger healthStatus = new AtomicInteger(503);
        final AtomicInteger checks = new AtomicInteger();
        final AtomicInteger traffic = new AtomicInteger();
        volatile String checkHost;
        volatile String checkAgent;

        SwitchableUpstream() throws IOException {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
            server.setExecutor(Executors.newCachedThreadPool());
            server.createContext("/", ex -> {
                ex.getRequestBody().readAllBytes();
                int status = 200;
                if (ex.getRequestURI().getPath().equals("/healthz")) {
                    checks.incrementAndGet();
                    checkHost = ex.getRequestHeaders().getFirst("host");
                    checkAgent = ex.getRequestHeaders().getFirst("user-agent");
                    status = healthStatus.get();
                } else {
                    traffic.incrementAndGet();
                }
                byte[] body = "upstream=sick-one\n".getBytes();
                ex.sendResponseHeaders(status, body.length);
                ex.getResponseBody().write(body);
                ex.close();
            });
            server.start();
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    static TestUpstream good;
    static SwitchableUpstream sick;
    static ProxyHarness proxy;
    static int deadPort;

    @BeforeAll
    static void start() throws Exception {
        good = new TestUpstream("good");
        sick = new SwitchableUpstream();
        deadPort = ProxyHarness.freePort();
        proxy = new ProxyHarness(ProxyHarness.listenerWithRoutes("", """
                - {match: {prefix: "/tcp/"}, route: {cluster: tcpchecked}}
                - {match: {prefix: "/"}, route: {cluster: checked}}
                """) + """
                clusters:
                  - name: checked
                    health_check: {path: /healthz, interval: 100ms, timeout: 1s, unhealthy_threshold: 2, healthy_threshold: 2, host: health.internal}
                    endpoints: [{address: 127.0.0.1, port: %d}, {address: 127.0.0.1, port: %d}]
                  - name: tcpchecked
                    health_check: {interval: 100ms, timeout: 500ms}
                    endpoints: [{address: 127.0.0.1, port: %d}, {address: 127.0.0.1, port: %d}]
                """.formatted(sick.server.getAddress().getPort(), good.port(), deadPort, good.port()), 1);
    }

    @AfterAll
    static void stop() {
        if (proxy != null) proxy.close();
        good.close();
        sick.close();
    }

    /** The health of each endpoint of {@code cluster} (what the admin API's /clusters shows), in order. */
    private static String healthOf(String cluster) {
        return String.join(",", proxy.endpointHealth(cluster));
    }

    private static String awaitHealth(String cluster, String expected) throws Exception {
        String h = "";
        for (int i = 0; i < 100 && !(h = healthOf(cluster)).equals(expected); i++) Thread.sleep(50);
        return h;
    }

    @Test
    void failingEndpointTakesNoTrafficUntilItPassesAgain() throws Exception {
        assertEquals("failed_active_hc,healthy", awaitHealth("checked", "failed_active_hc,healthy"));
        assertEquals("health.internal", sick.checkHost);
        assertEquals("yastack-health-check", sick.checkAgent);
        int before = sick.traffic.get();
        for (int i = 0; i < 20; i++) {
            HttpResponse<String> r = proxy.get("/r" + i);
            assertEquals(200, r.statusCode());
            assertTrue(r.body().contains("upstream=good"), r.body());
        }
        assertEquals(before, sick.traffic.get(), "no request went to the endpoint failing its check");
        assertEquals(1, proxy.stat("cluster.checked.health_check.healthy"));
        assertTrue(proxy.stat("cluster.checked.health_check.failure") > 0);

        sick.healthStatus.set(200);
        assertEquals("healthy,healthy", awaitHealth("checked", "healthy,healthy"));
        for (int i = 0; i < 10; i++) assertEquals(200, proxy.get("/back" + i).statusCode());
        assertTrue(sick.traffic.get() > before, "the endpoint takes traffic again");
        assertEquals(2, proxy.stat("cluster.checked.health_check.healthy"));

        // An unexpected status fails it at once (no unhealthy_threshold wait for HTTP answers).
        sick.healthStatus.set(500);
        assertEquals("failed_active_hc,healthy", awaitHealth("checked", "failed_active_hc,healthy"));
    }

    @Test
    void tcpCheckKeepsADeadPortOutOfTheRotation() throws Exception {
        assertEquals("failed_active_hc,healthy", awaitHealth("tcpchecked", "failed_active_hc,healthy"));
        long connectFails = proxy.stat("cluster.tcpchecked.upstream_cx_connect_fail");
        for (int i = 0; i < 10; i++) assertEquals(200, proxy.get("/tcp/r" + i).statusCode());
        assertEquals(connectFails, proxy.stat("cluster.tcpchecked.upstream_cx_connect_fail"), "no request tried the dead port");
        assertTrue(proxy.stat("cluster.tcpchecked.health_check.network_failure") > 0);
        assertTrue(proxy.stat("cluster.tcpchecked.health_check.attempt") > proxy.stat("cluster.tcpchecked.health_check.network_failure"));
    }
}
