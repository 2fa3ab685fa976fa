package yastack.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import yastack.config.ConfigLoader;
import yastack.dist.ControlPlane;
import yastack.dist.Envoy;
import yastack.proxy.fixtures.ProxyHarness;
import yastack.proxy.fixtures.TestUpstream;

/**
 * yastack in-process under a real control plane: java-control-plane's {@code SimpleCache} and
 * {@code V3DiscoveryServer} on a real port, real HTTP clients and upstreams.
 */
class XdsProxyTest {
    private static final String LDS = "type.googleapis.com/envoy.config.listener.v3.Listener";
    private static final String RDS = "type.googleapis.com/envoy.config.route.v3.RouteConfiguration";
    private static final String CDS = "type.googleapis.com/envoy.config.cluster.v3.Cluster";
    private static final String EDS = "type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment";
    private static final String NODE = "edge-1";
    private ControlPlane cp;
    private ProxyInstance proxy;
    private TestUpstream a;
    private TestUpstream b;
    private int port;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeEach
    void start() throws Exception {
        cp = new ControlPlane(0);
        a = new TestUpstream("a");
        b = new TestUpstream("b");
        port = ProxyHarness.freePort();
        proxy = ProxyInstance.start(ConfigLoader.parse("""
                node: {id: edge-1, cluster: edge}
                dynamic_resources:
                  ads_config: {api_type: GRPC, grpc_services: [{envoy_grpc: {cluster_name: xds}}]}
                  lds_config: {ads: {}, initial_fetch_timeout: 5s}
                  cds_config: {ads: {}, initial_fetch_timeout: 5s}
                clusters:
                  - {name: xds, http2_protocol_options: {}, endpoints: [{address: 127.0.0.1, port: %d}]}
                """.formatted(cp.port()), Path.of(".")), 1, 0, false);
    }

    @AfterEach
    void stop() throws Exception {
        proxy.close();
        cp.close();
        a.close();
        b.close();
    }

    private HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10));
        if (headers.length > 0) r.headers(headers);
        return client.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> admin(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.adminPort() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private Map<String, Long> stats() throws Exception {
        Map<String, Long> out = new TreeMap<>();
        Matcher m = Pattern.compile("(?m)^([^:\\s]+): (\\d+)$").matcher(admin("/stats").body());
        while (m.find()) out.put(m.group(1), Long.parseLong(m.group(2)));
        return out;
    }

    /** Version {@code version}: listener web on {@code port}, routes "routes" (/ to {@code cluster}), clusters api and bapi. */
    private void push(String version, String cluster, List<ClusterLoadAssignment> endpoints, Listener listener) {
        cp.set(NODE, version, List.of(Envoy.edsCluster("api"), Envoy.edsCluster("bapi")), endpoints,
                List.of(listener), List.of(Envoy.routes("routes", "/", cluster)));
    }

    private List<ClusterLoadAssignment> endpoints(int... apiPorts) {
        return List.of(Envoy.endpoints("api", "127.0.0.1", apiPorts), Envoy.endpoints("bapi", "127.0.0.1", b.port()));
    }

    /** Waits until the proxy applied and ACKed {@code version} of every type. */
    private void awaitApplied(String version) throws InterruptedException {
        for (String type : List.of(CDS, EDS, LDS, RDS)) cp.awaitAck(type, version);
    }

    @Test
    void pushedListenerRoutesAndEndpointsServe() throws Exception {
        push("1", "api", endpoints(a.port()), Envoy.httpListener("web", port, "routes"));
        awaitApplied("1");
        HttpResponse<String> r = get("/hello");
        assertEquals(200, r.statusCode(), r::body);
        assertEquals("a", r.headers().firstValue("x-upstream").orElse(""));
        assertEquals(200, admin("/ready").statusCode());
        Map<String, Long> stats = stats();
        assertEquals(1L, stats.get("control_plane.connected_state"), stats::toString);
        assertEquals(1L, stats.get("listener_manager.lds.update_success"), stats::toString);
        assertEquals(1L, stats.get("cluster_manager.cds.update_success"), stats::toString);
        assertEquals(1L, stats.get("http.web.rds.routes.update_success"), stats::toString);
        assertEquals(1L, stats.get("cluster.api.update_success"), stats::toString);
        JsonObject dump = new JsonObject(admin("/config_dump").body());
        JsonObject xds = dump.getJsonObject("xds");
        assertEquals("1", xds.getJsonObject("listeners").getString("version_info"));
        JsonObject web = xds.getJsonObject("listeners").getJsonArray("dynamic").getJsonObject(0);
        assertEquals("web", web.getString("name"));
        assertEquals("active", web.getString("state"));
        assertEquals("web", dump.getJsonArray("listeners").getJsonObject(0).getString("name"));
    }

    @Test
    void aNewRouteVersionReroutes() throws Exception {
        push("1", "api", endpoints(a.port()), Envoy.httpListener("web", port, "routes"));
        awaitApplied("1");
        assertEquals("a", get("/x").headers().firstValue("x-upstream").orElse(""));
        push("2", "bapi", endpoints(a.port()), Envoy.httpListener("web", port, "routes"));
        cp.awaitAck(RDS, "2");
        HttpResponse<String> r = get("/x");
        assertEquals(200, r.statusCode(), r::body);
        assertEquals("b", r.headers().firstValue("x-upstream").orElse(""));
        assertEquals(2L, stats().get("http.web.rds.routes.update_success"));
    }

    @Test
    void endpointsComeAndGoUnderLoadWithoutAFailedRequest() throws Exception {
        push("1", "api", endpoints(a.port()), Envoy.httpListener("web", port, "routes"));
        awaitApplied("1");
        TestUpstream c = new TestUpstream("c");
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger sent = new AtomicInteger();
        Map<String, Integer> failures = new ConcurrentHashMap<>();
        Map<String, Integer> served = new ConcurrentHashMap<>();
        List<Thread> load = new ArrayList<>();
        long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        for (int t = 0; t < 4; t++) {
            load.add(Thread.ofPlatform().start(() -> {
                // Bounded in count and time.
                while (!stop.get() && sent.incrementAndGet() <= 20_000 && System.nanoTime() < until) {
                    try {
                        HttpResponse<String> r = get("/load");
                        if (r.statusCode() == 200) served.merge(r.headers().firstValue("x-upstream").orElse("?"), 1, Integer::sum);
                        else failures.merge("status " + r.statusCode() + ": " + r.body(), 1, Integer::sum);
                    } catch (Exception e) {
                        failures.merge(e.toString(), 1, Integer::sum);
                    }
                }
            }));
        }
        try {
            Thread.sleep(300);
            push("2", "api", endpoints(a.port(), c.port()), Envoy.httpListener("web", port, "routes"));
            cp.awaitAck(EDS, "2");
            Thread.sleep(500);
            push("3", "api", endpoints(c.port()), Envoy.httpListener("web", port, "routes"));
            cp.awaitAck(EDS, "3");
            int aBefore = a.requests.get();
            Thread.sleep(500);
            push("4", "api", endpoints(a.port()), Envoy.httpListener("web", port, "routes"));
            cp.awaitAck(EDS, "4");
            Thread.sleep(300);
            stop.set(true);
            for (Thread t : load) t.join(15_000);
            assertTrue(failures.isEmpty(), () -> "failed requests during endpoint changes: " + failures + "; served " + served);
            assertTrue(served.getOrDefault("c", 0) > 0, () -> "the added endpoint never served: " + served);
            assertTrue(a.requests.get() > aBefore, "the endpoint added back serves again");
            assertEquals(4L, stats().get("cluster.api.update_success"));
        } finally {
            stop.set(true);
            for (Thread t : load) t.join(15_000);
            c.close();
        }
    }

    @Test
    void anUnsupportedFieldIsNackedNamingItAndTheLastGoodConfigServes() throws Exception {
        push("1", "api", endpoints(a.port()), Envoy.httpListener("web", port, "routes"));
        awaitApplied("1");
        Cluster bad = Envoy.edsCluster("api").toBuilder().setType(Cluster.DiscoveryType.ORIGINAL_DST).build();
        cp.set(NODE, "2", List.of(bad, Envoy.edsCluster("bapi")), endpoints(a.port()),
                List.of(Envoy.httpListener("web", port, "routes")), List.of(Envoy.routes("routes", "/", "bapi")));
        DiscoveryRequest nack = cp.await(r -> r.getTypeUrl().equals(CDS) && r.hasErrorDetail(), "a CDS NACK");
        assertEquals("1", nack.getVersionInfo(), "a NACK carries the last version accepted");
        assertEquals("Cluster 'api': type: ORIGINAL_DST is not supported (STATIC, STRICT_DNS, LOGICAL_DNS and EDS are)", nack.getErrorDetail().getMessage());
        HttpResponse<String> r = get("/still");
        assertEquals(200, r.statusCode(), r::body);
        Map<String, Long> stats = stats();
        assertTrue(stats.getOrDefault("cluster_manager.cds.update_rejected", 0L) >= 1, stats::toString);
        assertEquals(1L, stats.get("cluster_manager.cds.update_success"), stats::toString);
        String dump = admin("/config_dump").body();
        assertTrue(dump.contains("ORIGINAL_DST is not supported"), "the config dump shows the last rejection");
    }

    @Test
    void aUserspaceResourceWithoutAStackInTheBootstrapIsNacked() throws Exception {
        cp.set(NODE, "1", List.of(Envoy.withFlavor(Envoy.edsCluster("api"), "userspace")), endpoints(a.port()),
                List.of(), List.of());
        DiscoveryRequest nack = cp.await(r -> r.hasErrorDetail(), "a NACK");
        assertTrue(nack.getErrorDetail().getMessage().startsWith("Cluster 'api': ")
                && nack.getErrorDetail().getMessage().contains("flavor userspace needs a stack"), nack.getErrorDetail().getMessage());
    }

    @Test
    void theControlPlaneGoesAwayAndComesBack() throws Exception {
        push("1", "api", endpoints(a.port()), Envoy.httpListener("web", port, "routes"));
        awaitApplied("1");
        int cpPort = cp.port();
        cp.close();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (stats().get("control_plane.connected_state") != 0 && System.nanoTime() < deadline) Thread.sleep(20);
        assertEquals(0L, stats().get("control_plane.connected_state"));
        HttpResponse<String> r = get("/offline");
        assertEquals(200, r.statusCode(), "the last config keeps serving: " + r.body());
        assertEquals("a", r.headers().firstValue("x-upstream").orElse(""));

        cp = new ControlPlane(cpPort);
        push("2", "bapi", endpoints(a.port()), Envoy.httpListener("web", port, "routes"));
        // It resubscribes telling the new control plane what it runs (version 1), then takes version 2.
        cp.await(r2 -> r2.getTypeUrl().equals(LDS) && r2.getVersionInfo().equals("1") && r2.getResponseNonce().isEmpty(),
                "a resubscription with the last version");
        cp.awaitAck(RDS, "2");
        r = get("/online");
        assertEquals(200, r.statusCode(), r::body);
        assertEquals("b", r.headers().firstValue("x-upstream").orElse(""));
        assertEquals(1L, stats().get("control_plane.connected_state"));
    }

    @Test
    void aJavaScriptFilterPushedInlineActsOnTheNextRequest() throws Exception {
        push("1", "api", endpoints(a.port()), Envoy.httpListener("web", port, "routes"));
        awaitApplied("1");
        assertEquals(200, get("/js", "x-block", "1").statusCode());
        push("2", "api", endpoints(a.port()), Envoy.httpListener("web", port, "routes", Envoy.javascript("block",
                "export function onRequest(req, ctx) { if (req.headers['x-block']) return {status: 451, body: 'blocked by xds\\n'}; }\n")));
        cp.awaitAck(LDS, "2");
        HttpResponse<String> r = get("/js", "x-block", "1");
        assertEquals(451, r.statusCode(), r::body);
        assertEquals("blocked by xds\n", r.body());
        assertEquals(200, get("/js").statusCode());
        push("3", "api", endpoints(a.port()), Envoy.httpListener("web", port, "routes", Envoy.javascript("block",
                "export function onRequest(req, ctx) { if (req.headers['x-block']) return {status: 403, body: 'v3\\n'}; }\n")));
        cp.awaitAck(LDS, "3");
        assertEquals(403, get("/js", "x-block", "1").statusCode(), "the new script version replaced the old one");
    }
}
