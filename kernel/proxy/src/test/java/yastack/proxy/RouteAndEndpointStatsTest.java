package yastack.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import yastack.proxy.fixtures.ProxyHarness;
import yastack.proxy.fixtures.TestUpstream;

/** Per-route stats (Envoy's vhost.<vh>.route.<r>.*) and per-endpoint counters, through the real proxy. */
class RouteAndEndpointStatsTest {
    @Test
    void namedRoutesCountByStatusAndTime() throws Exception {
        try (TestUpstream up = new TestUpstream("up");
             ProxyHarness proxy = new ProxyHarness(ProxyHarness.listenerWithRoutes("", """
                     - {name: api, match: {prefix: "/api/"}, route: {cluster: up, prefix_rewrite: "/"}}
                     - {name: local, match: {prefix: "/local"}, direct_response: {status: 200, body: ok}}
                     - {match: {prefix: "/"}, route: {cluster: up}}
                     """) + """
                     clusters:
                       - {name: up, endpoints: [{address: 127.0.0.1, port: %d}]}
                     """.formatted(up.port()), 2)) {
            for (int i = 0; i < 3; i++) proxy.get("/api/x");
            proxy.get("/api/status/503");
            proxy.get("/api/status/404");
            proxy.get("/unnamed");
            proxy.get("/local");
            String p = "vhost.all.route.api.";
            assertEquals(5, proxy.awaitStatValue(p + "upstream_rq_total", 5));
            assertEquals(3, proxy.stat(p + "upstream_rq_2xx"));
            assertEquals(1, proxy.stat(p + "upstream_rq_4xx"));
            assertEquals(1, proxy.stat(p + "upstream_rq_5xx"));
            Histogram time = proxy.engine.stats().histogramValues().get(p + "upstream_rq_time");
            assertEquals(5, time.getTotalCount());
            assertTrue(time.getMaxValue() > 0);
            assertTrue(proxy.engine.stats().counterValues().keySet().stream().noneMatch(k -> k.contains(".route.local.")),
                    "a direct response sends nothing upstream");
            assertTrue(proxy.engine.stats().counterValues().keySet().stream().filter(k -> k.startsWith("vhost."))
                    .allMatch(k -> k.startsWith(p)), "routes without a name have no stats");
        }
    }

    @Test
    void endpointsCountRequestsErrorsTimeoutsAndConnections() throws Exception {
        int dead = ProxyHarness.freePort();
        try (TestUpstream up = new TestUpstream("up");
             ProxyHarness proxy = new ProxyHarness(ProxyHarness.listenerWithRoutes("", """
                     - {match: {prefix: "/slow/"}, route: {cluster: slow, prefix_rewrite: "/", timeout: 200ms}}
                     - {match: {prefix: "/"}, route: {cluster: pair, retry_policy: {retry_on: connect-failure}}}
                     """) + """
                     clusters:
                       - {name: pair, endpoints: [{address: 127.0.0.1, port: %1$d}, {address: 127.0.0.1, port: %2$d}]}
                       - {name: slow, endpoints: [{address: 127.0.0.1, port: %1$d}]}
                     """.formatted(up.port(), dead), 1)) {
            for (int i = 0; i < 4; i++) assertEquals(200, proxy.get("/ok").statusCode());
            assertEquals(503, proxy.get("/status/503").statusCode());
            assertEquals(504, proxy.get("/slow/delay/1000").statusCode());
            Thread.sleep(100);
            Map<String, Long> good = proxy.engine.clusters().get("pair").endpoints().get(0).stats().values();
            Map<String, Long> gone = proxy.engine.clusters().get("pair").endpoints().get(1).stats().values();
            Map<String, Long> slow = proxy.engine.clusters().get("slow").endpoints().get(0).stats().values();
            // Round robin sent about half the tries to the dead endpoint; each failed to connect and was retried on the good one.
            assertEquals(5, good.get("rq_total"), good::toString);
            assertEquals(4, good.get("rq_success"), good::toString);
            assertEquals(1, good.get("rq_error"), "the 503: " + good);
            assertEquals(0, good.get("rq_active"));
            assertEquals(1, good.get("cx_total"), "one pooled connection: " + good);
            assertEquals(1, good.get("cx_active"));
            assertTrue(gone.get("cx_connect_fail") >= 1, gone::toString);
            assertEquals(gone.get("cx_connect_fail"), gone.get("rq_error"), gone::toString);
            assertEquals(gone.get("rq_total"), gone.get("rq_error"), gone::toString);
            assertEquals(0, gone.get("cx_active"));
            assertEquals(1, slow.get("rq_timeout"), slow::toString);
            assertEquals(1, slow.get("rq_error"), slow::toString);
        }
    }
}
