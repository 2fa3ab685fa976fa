package yastack.server;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
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
                          - {name: all, domains: ["*"], routes: [{name: everything, match: {prefix: "/"}, route: {cluster: api}}]}
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
    void serverInfoAndReopenLogs() throws Exception {
        JsonObject info = new JsonObject(proxy.admin("/server_info").body());
        assertEquals("LIVE", info.getString("state"));
        assertEquals(2, info.getInteger("workers"));
        assertTrue(info.getLong("uptime_seconds") >= 0);
        assertEquals(405, proxy.admin("/reopen_logs").statusCode(), "reopening is a POST");
        assertEquals(200, proxy.client.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + proxy.instance.adminPort() + "/reopen_logs"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString()).statusCode());
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
        assertEquals("cluster.api.upstream_rq_2xx: 20\nvhost.all.route.everything.upstream_rq_2xx: 20\n", filtered);
    }

    @Test
    void statsQueryByUseAndType() throws Exception {
        String all = proxy.admin("/stats").body();
        assertTrue(all.contains("cluster.api.upstream_cx_connect_fail: 0\n"), all);
        String used = proxy.admin("/stats?usedonly").body();
        assertTrue(used.contains("http.web.downstream_rq_total: 21\n") && used.contains("http.web.downstream_rq_time: P50("), used);
        assertTrue(!used.contains(": 0\n") && !used.contains("No recorded values"), "usedonly shows no stat that never moved:\n" + used);
        String gauges = proxy.admin("/stats?type=Gauges&filter=%5Elistener%5C.web%5C.").body();
        assertTrue(gauges.contains("listener.web.downstream_cx_active: "), gauges);
        assertTrue(!gauges.contains("downstream_cx_total"), "a counter is not a gauge:\n" + gauges);
        String histograms = proxy.admin("/stats?type=Histograms&filter=downstream_rq").body();
        assertTrue(histograms.startsWith("http.web.downstream_rq_time: P50(") && !histograms.contains("downstream_rq_total"), histograms);
        JsonObject counters = new JsonObject(proxy.admin("/stats?type=Counters&usedonly&format=json").body());
        assertEquals(21, counters.getLong("http.web.downstream_rq_total"));
        assertTrue(!counters.containsKey("cluster.api.upstream_cx_connect_fail") && !counters.containsKey("listener.web.downstream_cx_active"),
                counters.encode());
        assertEquals(proxy.admin("/stats/prometheus").body().lines().filter(l -> l.startsWith("# TYPE")).toList(),
                proxy.admin("/stats?format=prometheus").body().lines().filter(l -> l.startsWith("# TYPE")).toList());
        var bad = proxy.admin("/stats?type=Timers");
        assertEquals(400, bad.statusCode());
        assertTrue(bad.body().contains("Counters, Gauges or Histograms"), bad.body());
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
        String body = r.body();
        // Envoy's tags: the entity is a label, the status class too, so Envoy dashboards map by prefix.
        assertTrue(body.contains("yastack_cluster_upstream_rq_xx{envoy_cluster_name=\"api\",envoy_response_code_class=\"2\"} 20\n"), body);
        assertTrue(body.contains("yastack_cluster_upstream_rq_xx{envoy_cluster_name=\"api\",envoy_response_code_class=\"4\"} 1\n"), body);
        assertTrue(body.contains("yastack_http_downstream_rq_total{envoy_http_conn_manager_prefix=\"web\"} 21\n"), body);
        assertTrue(body.contains("yastack_vhost_route_upstream_rq_total{envoy_virtual_host=\"all\",envoy_route=\"everything\"} 21\n"), body);
        // Histograms: cumulative buckets over Envoy's bounds (ms), +Inf equal to the count, then sum and count.
        String h = "yastack_http_downstream_rq_time";
        String labels = "envoy_http_conn_manager_prefix=\"web\"";
        assertTrue(body.contains("# TYPE " + h + " histogram\n"), body);
        assertTrue(body.contains(h + "_bucket{" + labels + ",le=\"+Inf\"} 21\n"), body);
        assertTrue(body.contains(h + "_count{" + labels + "} 21\n"), body);
        long previous = 0;
        for (double le : new double[] {0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000}) {
            String bound = le == Math.rint(le) ? Long.toString((long) le) : Double.toString(le);
            var m = Pattern.compile(Pattern.quote(h + "_bucket{" + labels + ",le=\"" + bound + "\"} ") + "(\\d+)\n").matcher(body);
            assertTrue(m.find(), "bucket le=" + bound);
            long count = Long.parseLong(m.group(1));
            assertTrue(count >= previous && count <= 21, "cumulative: le=" + bound + " " + count);
            previous = count;
        }
        assertTrue(body.contains(h + "_percentile{" + labels + ",percentile=\"99\"}"), body);
        assertTrue(body.contains("yastack_vhost_route_upstream_rq_time_bucket{envoy_virtual_host=\"all\",envoy_route=\"everything\",le=\"+Inf\"} 21\n"), body);
    }

    @Test
    void clustersListenersAndConfigDump() throws Exception {
        JsonArray clusters = new JsonArray(proxy.admin("/clusters").body());
        JsonObject api = clusters.getJsonObject(0);
        assertEquals("api", api.getString("name"));
        assertEquals("healthy", api.getJsonArray("endpoints").getJsonObject(0).getString("health"));
        assertEquals(20L, api.getJsonObject("stats").getLong("upstream_rq_2xx"));
        // Envoy's per-host counters, per endpoint
        JsonObject host = api.getJsonArray("endpoints").getJsonObject(0).getJsonObject("stats");
        assertEquals(21L, host.getLong("rq_total"));
        assertEquals(21L, host.getLong("rq_success"), "a 404 is an answer, not an error");
        assertEquals(0L, host.getLong("rq_error"));
        assertEquals(0L, host.getLong("rq_active"));
        assertTrue(host.getLong("cx_total") >= 1 && host.getLong("cx_total") <= 2, "pooled: a connection or two per worker: " + host);
        assertEquals(0L, host.getLong("cx_connect_fail"));
        JsonArray listeners = new JsonArray(proxy.admin("/listeners").body());
        assertEquals("web", listeners.getJsonObject(0).getString("name"));
        assertEquals("host", listeners.getJsonObject(0).getString("flavor"));
        JsonObject dump = new JsonObject(proxy.admin("/config_dump").body());
        assertEquals("api", dump.getJsonArray("clusters").getJsonObject(0).getString("name"));
    }

    /**
     * The admin port on the wire: pipelined requests are answered in order even when the first
     * is computed off the admin loop (/config_dump); HEAD has no body; HTTP/1.0 closes; a
     * malformed request gets 400 and the connection is closed.
     */
    @Test
    void adminHttpOnTheWire() throws Exception {
        int port = proxy.instance.adminPort();
        String two = exchange(port, "GET /config_dump HTTP/1.1\r\nHost: a\r\n\r\n"
                + "GET /ready HTTP/1.1\r\nHost: a\r\n\r\n"
                + "HEAD /server_info HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
        int dump = two.indexOf("\"clusters\""), ready = two.indexOf("LIVE\n");
        assertTrue(dump > 0 && ready > dump, "in order: " + two);
        assertEquals(3, two.split("HTTP/1.1 200 OK", -1).length - 1, two);
        assertTrue(two.endsWith("\r\n\r\n"), "HEAD: headers only, then closed: " + two);
        assertTrue(two.contains("connection: close"), two);

        String old = exchange(port, "GET /ready HTTP/1.0\r\n\r\n");
        assertTrue(old.startsWith("HTTP/1.1 200 OK") && old.endsWith("LIVE\n"), old);

        String bad = exchange(port, "GET /ready HTTP/1.1\r\nHost: a\r\nbad header line\r\n\r\n");
        assertTrue(bad.startsWith("HTTP/1.1 400 "), bad);

        String missing = exchange(port, "GET /nope HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
        assertTrue(missing.startsWith("HTTP/1.1 404 ") && missing.contains("no such admin endpoint: /nope"), missing);
    }

    /** Writes {@code request} and reads until the server closes (bounded by a 5 s read timeout). */
    private static String exchange(int port, String request) throws Exception {
        try (var s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(5000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
