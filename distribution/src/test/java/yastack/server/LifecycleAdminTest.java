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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import yastack.proxy.fixtures.TestUpstream;

/** Envoy's lifecycle and process admin endpoints: /healthcheck/fail|ok, /drain_listeners[?graceful], /server_info, /logging, /memory, /help, /quitquitquit. */
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

    @Test
    void plainDrainListenersClosesThemAtOnce() throws Exception {
        assertEquals(200, post("/drain_listeners").statusCode());
        proxy.instance.drain(false).get(5, TimeUnit.SECONDS);
        assertThrows(ConnectException.class, () -> proxy.get("/x"));
    }
}
