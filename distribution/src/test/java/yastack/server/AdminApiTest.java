package yastack.server;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import yastack.proxy.fixtures.TestUpstream;

/** The admin contract: /ready, /stats, /stats/prometheus, /clusters, /listeners, /config_dump. */
class AdminApiTest {
    static TestUpstream up;
    static ServerHarness proxy;

    @BeforeAll
    static void start() throws Exception {
        up = new TestUpstream("up");
        proxy = new ServerHarness("""
                listeners:
                  - name: web
                    address: 127.0.0.1
                    port: ${PORT}
                    http:
                      route_config:
                        virtual_hosts:
                          - {name: all, domains: ["*"], routes: [{match: {prefix: "/"}, route: {cluster: api}}]}
                clusters:
                  - {name: api, endpoints: [{address: 127.0.0.1, port: %d}]}
                """.formatted(up.port()), 2);
        for (int i = 0; i < 20; i++) proxy.get("/x");
        proxy.get("/status/404");
    }

    @AfterAll
    static void stop() {
        proxy.close();
        up.close();
    }

    @Test
    void readyIs200() throws Exception {
        assertEquals(200, proxy.admin("/ready").statusCode());
    }

    @Test
    void statsHaveTheContractNamesMergedAcrossWorkers() throws Exception {
        String stats = proxy.admin("/stats").body();
        for (String name : new String[] {"listener.web.downstream_cx_total", "listener.web.downstream_cx_active",
                "http.web.downstream_rq_total", "http.web.downstream_rq_2xx", "http.web.downstream_rq_4xx",
                "cluster.api.upstream_rq_total", "cluster.api.upstream_rq_2xx", "cluster.api.upstream_cx_active",
                "cluster.api.upstream_cx_connect_fail"}) {
            assertTrue(Pattern.compile("(?m)^" + Pattern.quote(name) + ": \\d+$").matcher(stats).find(), name + " in\n" + stats);
        }
        assertTrue(stats.contains("http.web.downstream_rq_time: P50("), stats);
        assertTrue(stats.contains("http.web.downstream_rq_total: 21\n"), stats);
        assertTrue(stats.contains("cluster.api.upstream_rq_2xx: 20\n"), stats);
        assertTrue(stats.contains("cluster.api.upstream_rq_4xx: 1\n"), stats);
        String filtered = proxy.admin("/stats?filter=upstream_rq_2xx").body();
        assertEquals("cluster.api.upstream_rq_2xx: 20\n", filtered);
    }

    @Test
    void prometheusExpositionIsWellFormed() throws Exception {
        var r = proxy.admin("/stats/prometheus");
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("content-type").orElseThrow().startsWith("text/plain; version=0.0.4"));
        Pattern sample = Pattern.compile("^[a-zA-Z_:][a-zA-Z0-9_:]*(\\{[a-zA-Z_][a-zA-Z0-9_]*=\"[^\"]*\"(,[a-zA-Z_][a-zA-Z0-9_]*=\"[^\"]*\")*\\})? (-?[0-9.eE+-]+|NaN)$");
        Pattern type = Pattern.compile("^# TYPE [a-zA-Z_:][a-zA-Z0-9_:]* (counter|gauge|summary|histogram)$");
        Set<String> typed = new HashSet<>();
        for (String line : r.body().split("\n")) {
            if (line.startsWith("#")) {
                assertTrue(type.matcher(line).matches(), line);
                assertTrue(typed.add(line.split(" ")[2]), "family declared twice: " + line);
            } else {
                assertTrue(sample.matcher(line).matches(), line);
            }
        }
        assertTrue(r.body().contains("yastack_cluster_upstream_rq_2xx{cluster=\"api\"} 20\n"), r.body());
        assertTrue(r.body().contains("yastack_http_downstream_rq_time{listener=\"web\",quantile=\"0.99\"}"), r.body());
    }

    @Test
    void clustersListenersAndConfigDump() throws Exception {
        JsonArray clusters = new JsonArray(proxy.admin("/clusters").body());
        JsonObject api = clusters.getJsonObject(0);
        assertEquals("api", api.getString("name"));
        assertEquals("healthy", api.getJsonArray("endpoints").getJsonObject(0).getString("health"));
        assertEquals(20L, api.getJsonObject("stats").getLong("upstream_rq_2xx"));
        JsonArray listeners = new JsonArray(proxy.admin("/listeners").body());
        assertEquals("web", listeners.getJsonObject(0).getString("name"));
        assertEquals("host", listeners.getJsonObject(0).getString("flavor"));
        JsonObject dump = new JsonObject(proxy.admin("/config_dump").body());
        assertEquals("api", dump.getJsonArray("clusters").getJsonObject(0).getString("name"));
    }
}
