package yastack.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import yastack.proxy.fixtures.TestUpstream;

/** Envoy's lifecycle and process admin endpoints: /healthcheck/fail|ok, /drain_listeners[?graceful], /server_info, /logging, /memory, /help, /reset_counters, /quitquitquit. */
class LifecycleAdminTest {
    TestUpstream up;
    ServerHarness proxy;

    @BeforeEach
    void start() throws Exception {
        up = new TestUpstream("up");
        proxy = new ServerHarness("""
                drain: {delay: 1s, timeout: 5s}
                listeners:
                  - name: web
                    address: 127.0.0.1
                    port: ${PORT}
                    http:
                      route_config:
                        virtual_hosts: [{name: all, domains: ["*"], routes: [{match: {prefix: "/"}, route: {cluster: api}}]}]
                clusters:
                  - {name: api, endpoints: [{address: 127.0.0.1, port: %d}]}
                """.formatted(up.port()), 1);
    }

    @AfterEach
    void stop() {
        proxy.close();
        up.close();
    }

    private HttpResponse<String> post(String path) throws Exception {
        return proxy.client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.instance.adminPort() + path))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonObject serverInfo() throws Exception {
        HttpResponse<String> r = proxy.admin("/server_info");
        assertEquals(200, r.statusCode(), r.body());
        return new JsonObject(r.body());
    }

    @Test
    void healthcheckFailTurnsReady503AndClosesConnectionsUntilOk() throws Exception {
        assertEquals(ProcessHandle.current().pid(), serverInfo().getLong("pid"));
        assertEquals("LIVE", serverInfo().getString("state"));
        assertEquals(405, proxy.admin("/healthcheck/fail").statusCode(), "a GET must not fail the health check");
        assertEquals(200, proxy.admin("/ready").statusCode());

        assertEquals(200, post("/healthcheck/fail").statusCode());
        assertEquals(503, proxy.admin("/ready").statusCode());
        assertEquals("DRAINING", serverInfo().getString("state"));
        HttpResponse<String> r = proxy.get("/x");
        assertEquals(200, r.statusCode(), "listeners keep serving");
        assertEquals("close", r.headers().firstValue("connection").orElse(""), "but tell clients to go elsewhere");

        assertEquals(200, post("/healthcheck/ok").statusCode());
        assertEquals(200, proxy.admin("/ready").statusCode());
        assertEquals("LIVE", serverInfo().getString("state"));
        assertFalse(proxy.get("/x").headers().firstValue("connection").isPresent());
    }

    @Test
    void gracefulDrainListenersAcceptsForTheDelayThenRefuses() throws Exception {
        assertEquals(200, post("/drain_listeners?graceful").statusCode());
        assertEquals(503, proxy.admin("/ready").statusCode());
        assertEquals("DRAINING", serverInfo().getString("state"));
        HttpResponse<String> during = proxy.get("/x");
        assertEquals(200, during.statusCode(), "accepting during drain.delay");
        assertEquals("close", during.headers().firstValue("connection").orElse(""));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            try {
                proxy.get("/x");
                Thread.sleep(50);
            } catch (ConnectException refused) {
                break;
            }
        }
        assertThrows(ConnectException.class, () -> proxy.get("/x"), "listeners closed after the delay");
        // The process does not exit (that is SIGTERM's job); the admin API still answers.
        assertEquals(503, proxy.admin("/ready").statusCode());
        proxy.instance.drain(true).get(5, TimeUnit.SECONDS); // joins the drain under way, which ends
    }

    @Test
    void loggingLevelsChangeAtRunTimeAndBadOnesAreRefused() throws Exception {
        Logger plugin = Logger.getLogger("yastack.plugin.rbac");
        try {
            assertFalse(plugin.isLoggable(Level.FINE));
            HttpResponse<String> set = post("/logging?yastack.plugin.rbac=debug");
            assertEquals(200, set.statusCode(), set.body());
            assertTrue(plugin.isLoggable(Level.FINE), "the plugin's debug lines are logged now");
            assertEquals("debug", new JsonObject(proxy.admin("/logging").body()).getJsonObject("active_loggers")
                    .getString("yastack.plugin.rbac"));
            assertEquals(400, post("/logging?yastack=verbose").statusCode());
            assertEquals(400, post("/logging").statusCode());
        } finally {
            post("/logging?yastack.plugin.rbac=info");
        }
    }

    @Test
    void memoryHelpAndQuit() throws Exception {
        JsonObject memory = new JsonObject(proxy.admin("/memory").body());
        assertTrue(memory.getLong("heap_used_bytes") > 0 && memory.getLong("resident_bytes") > 0, memory.encode());
        String help = proxy.admin("/help").body();
        assertTrue(help.contains("/quitquitquit") && help.contains("/logging"), help);
        assertEquals(405, proxy.admin("/quitquitquit").statusCode(), "a GET must not end the process");
        assertFalse(proxy.instance.quitRequested().isDone());
        assertEquals(200, post("/quitquitquit").statusCode());
        proxy.instance.quitRequested().get(5, TimeUnit.SECONDS);
    }

    private long stat(String name) throws Exception {
        String stats = proxy.admin("/stats").body();
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + ": (\\d+)$").matcher(stats);
        assertTrue(m.find(), name + " in\n" + stats);
        return Long.parseLong(m.group(1));
    }

    @Test
    void resetCountersZeroesCountersButNotGauges() throws Exception {
        for (int i = 0; i < 3; i++) assertEquals(200, proxy.get("/x").statusCode());
        assertEquals(3, stat("http.web.downstream_rq_total"));
        assertEquals(3, stat("cluster.api.upstream_rq_2xx"));
        assertEquals(1, stat("listener.web.downstream_cx_active"), "the client's keep-alive connection");
        assertEquals(405, proxy.admin("/reset_counters").statusCode(), "resetting is a POST");
        assertEquals(3, stat("http.web.downstream_rq_total"));
        HttpResponse<String> reset = post("/reset_counters");
        assertEquals(200, reset.statusCode());
        assertEquals("OK\n", reset.body());
        assertEquals(0, stat("http.web.downstream_rq_total"));
        assertEquals(0, stat("cluster.api.upstream_rq_2xx"));
        assertEquals(1, stat("listener.web.downstream_cx_active"), "a gauge is not reset");
        String used = proxy.admin("/stats?usedonly&filter=downstream_rq_total").body();
        assertTrue(used.contains("http.web.downstream_rq_total: 0\n"), "it counted before the reset, so it is used (Envoy's flag):\n" + used);
        for (int i = 0; i < 2; i++) assertEquals(200, proxy.get("/x").statusCode());
        assertEquals(2, stat("http.web.downstream_rq_total"));
        String prometheus = proxy.admin("/stats/prometheus").body();
        assertTrue(prometheus.contains("yastack_cluster_upstream_rq_xx{envoy_cluster_name=\"api\",envoy_response_code_class=\"2\"} 2\n"),
                prometheus);
        assertTrue(proxy.admin("/help").body().contains("POST /reset_counters"));
    }

    @Test
    void plainDrainListenersClosesThemAtOnce() throws Exception {
        assertEquals(200, post("/drain_listeners").statusCode());
        proxy.instance.drain(false).get(5, TimeUnit.SECONDS);
        assertThrows(ConnectException.class, () -> proxy.get("/x"));
    }
}
