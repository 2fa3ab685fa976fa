package yastack.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.Durations;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
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
 * yastack in-process under a real control plane over delta xDS ({@code api_type: DELTA_GRPC}):
 * java-control-plane's {@code SimpleCache} answering {@code DeltaAggregatedResources}, real
 * HTTP clients and upstreams. A delta ACK names only the nonce, so the control plane fixture
 * maps it back to the version of the response it answers.
 */
class XdsDeltaProxyTest {
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
                  ads_config: {api_type: DELTA_GRPC, grpc_services: [{envoy_grpc: {cluster_name: xds}}]}
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

    private HttpResponse<String> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private String upstreamOf(String path) throws Exception {
        HttpResponse<String> r = get(path);
        assertEquals(200, r.statusCode(), r::body);
        return r.headers().firstValue("x-upstream").orElse("");
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

    private JsonObject xdsDump() throws Exception {
        return new JsonObject(admin("/config_dump").body()).getJsonObject("xds");
    }

    private static Set<String> dynamicNames(JsonObject section) {
        Set<String> out = new HashSet<>();
        JsonArray dynamic = section.getJsonArray("dynamic");
        for (int i = 0; i < dynamic.size(); i++) out.add(dynamic.getJsonObject(i).getString("name"));
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

    private void awaitApplied(String version) throws InterruptedException {
        for (String type : List.of(CDS, EDS, LDS, RDS)) cp.awaitDeltaAck(type, version);
    }

    @Test
    void aPushedListenerServesWithPerResourceVersions() throws Exception {
        push("1", "api", endpoints(a.port()), Envoy.httpListener("web", port, "routes"));
        awaitApplied("1");
        assertEquals("a", upstreamOf("/hello"));
        assertEquals(200, admin("/ready").statusCode());
        // Wildcard subscriptions for listeners and clusters (no names), named ones for routes and endpoints.
        DeltaDiscoveryRequest firstLds = cp.awaitDelta(r -> r.getTypeUrl().equals(LDS), "an LDS request");
        assertEquals(0, firstLds.getResourceNamesSubscribeCount(), firstLds::toString);
        cp.awaitDelta(r -> r.getTypeUrl().equals(RDS) && r.getResourceNamesSubscribeList().equals(List.of("routes")), "an RDS subscription");
        cp.awaitDelta(r -> r.getTypeUrl().equals(EDS) && r.getResourceNamesSubscribeList().containsAll(List.of("api", "bapi")),
                "an EDS subscription");
        assertTrue(cp.requests.isEmpty(), "no state-of-the-world request: " + cp.requests);
        Map<String, Long> stats = stats();
        assertEquals(1L, stats.get("control_plane.connected_state"), stats::toString);
        assertEquals(1L, stats.get("listener_manager.lds.update_success"), stats::toString);
        assertEquals(1L, stats.get("cluster_manager.cds.update_success"), stats::toString);
        assertEquals(1L, stats.get("http.web.rds.routes.update_success"), stats::toString);
        assertEquals(1L, stats.get("cluster.api.update_success"), stats::toString);
        JsonObject listeners = xdsDump().getJsonObject("listeners");
        assertEquals("1", listeners.getString("version_info"));
        JsonObject web = listeners.getJsonArray("dynamic").getJsonObject(0);
        assertEquals("web", web.getString("name"));
        assertEquals("active", web.getString("state"));
        String sent = cp.deltaResponses.stream().filter(r -> r.getTypeUrl().equals(LDS)).findFirst().orElseThrow()
                .getResources(0).getVersion();
        assertFalse(sent.isEmpty());
        assertEquals(sent, web.getString("version_info"), "each resource shows the version the control plane gave it");
    }

    @Test
    void aRouteChangeReroutes() throws Exception {
        push("1", "api", endpoints(a.port()), Envoy.httpListener("web", port, "routes"));
        awaitApplied("1");
        assertEquals("a", upstreamOf("/x"));
        push("2", "bapi", endpoints(a.port()), Envoy.httpListener("web", port, "routes"));
        cp.awaitDeltaAck(RDS, "2");
        assertEquals("b", upstreamOf("/x"));
        assertEquals(2L, stats().get("http.web.rds.routes.update_success"));
        assertTrue(cp.deltaResponses.stream().filter(r -> r.getTypeUrl().equals(LDS)).count() == 1,
                "the unchanged listener is not sent again");
    }

    @Test
    void anEndpointAndAClusterRemovedAreRemoved() throws Exception {
        try (TestUpstream c = new TestUpstream("c")) {
            push("1", "api", endpoints(a.port(), c.port()), Envoy.httpListener("web", port, "routes"));
            awaitApplied("1");
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < 6; i++) seen.add(upstreamOf("/both"));
            assertEquals(Set.of("a", "c"), seen);

            push("2", "api", endpoints(c.port()), Envoy.httpListener("web", port, "routes"));
            cp.awaitDeltaAck(EDS, "2");
            int aBefore = a.requests.get();
            for (int i = 0; i < 6; i++) assertEquals("c", upstreamOf("/one"));
            assertEquals(aBefore, a.requests.get(), "the removed endpoint gets nothing");
            assertEquals(2L, stats().get("cluster.api.update_success"));

            // Cluster bapi goes: the control plane names it in removed_resources.
            cp.set(NODE, "3", List.of(Envoy.edsCluster("api")), List.of(Envoy.endpoints("api", "127.0.0.1", c.port())),
                    List.of(Envoy.httpListener("web", port, "routes")), List.of(Envoy.routes("routes", "/", "api")));
            cp.awaitDeltaAck(CDS, "3");
            assertTrue(cp.deltaResponses.stream().anyMatch(r -> r.getTypeUrl().equals(CDS) && r.getRemovedResourcesList().contains("bapi")));
            assertEquals(Set.of("api"), dynamicNames(xdsDump().getJsonObject("clusters")));
            cp.awaitDelta(r -> r.getTypeUrl().equals(EDS) && r.getResourceNamesUnsubscribeList().equals(List.of("bapi")),
                    "an EDS unsubscription of bapi");
            assertEquals("c", upstreamOf("/after"));
        }
    }

    @Test
    void aBadClusterIsNackedAndTrafficContinues() throws Exception {
        push("1", "api", endpoints(a.port()), Envoy.httpListener("web", port, "routes"));
        awaitApplied("1");
        Cluster bad = Envoy.edsCluster("api").toBuilder().setType(Cluster.DiscoveryType.ORIGINAL_DST).build();
        cp.set(NODE, "2", List.of(bad, Envoy.edsCluster("bapi")), endpoints(a.port()),
                List.of(Envoy.httpListener("web", port, "routes")), List.of(Envoy.routes("routes", "/", "api")));
        DeltaDiscoveryRequest nack = cp.awaitDelta(r -> r.getTypeUrl().equals(CDS) && r.hasErrorDetail(), "a CDS NACK");
        assertEquals("2", cp.deltaVersionAnswered(nack));
        assertEquals("Cluster 'api': type: ORIGINAL_DST is not supported (STATIC, STRICT_DNS, LOGICAL_DNS and EDS are)",
                nack.getErrorDetail().getMessage());
        assertEquals("a", upstreamOf("/still"));
        Map<String, Long> stats = stats();
        assertEquals(1L, stats.get("cluster_manager.cds.update_rejected"), stats::toString);
        assertEquals(1L, stats.get("cluster_manager.cds.update_success"), stats::toString);
        JsonObject clusters = xdsDump().getJsonObject("clusters");
        assertEquals("1", clusters.getString("version_info"), "the last good version is kept");
        assertTrue(clusters.getJsonObject("last_rejected").getString("error").contains("ORIGINAL_DST is not supported"));

        // A fixed version is taken (a real change: java-control-plane sends only what differs
        // from what the client ACKed, and version 1's cluster is still held).
        Cluster fixed = Envoy.edsCluster("api").toBuilder().setConnectTimeout(Durations.fromSeconds(2)).build();
        cp.set(NODE, "3", List.of(fixed, Envoy.edsCluster("bapi")), endpoints(a.port()),
                List.of(Envoy.httpListener("web", port, "routes")), List.of(Envoy.routes("routes", "/", "bapi")));
        cp.awaitDeltaAck(CDS, "3");
        cp.awaitDeltaAck(RDS, "3");
        assertEquals("b", upstreamOf("/fixed"));
        assertEquals("3", xdsDump().getJsonObject("clusters").getString("version_info"));
        assertEquals(2L, stats().get("cluster_manager.cds.update_success"));
    }

    @Test
    void itResubscribesWithItsVersionsWhenTheControlPlaneComesBack() throws Exception {
        push("1", "api", endpoints(a.port()), Envoy.httpListener("web", port, "routes"));
        awaitApplied("1");
        String webVersion = xdsDump().getJsonObject("listeners").getJsonArray("dynamic").getJsonObject(0).getString("version_info");
        int cpPort = cp.port();
        cp.close();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (stats().get("control_plane.connected_state") != 0 && System.nanoTime() < deadline) Thread.sleep(20);
        assertEquals(0L, stats().get("control_plane.connected_state"));
        assertEquals("a", upstreamOf("/offline"), "the last config keeps serving");

        cp = new ControlPlane(cpPort);
        push("2", "bapi", endpoints(a.port()), Envoy.httpListener("web", port, "routes"));
        DeltaDiscoveryRequest hello = cp.awaitDelta(r -> r.getTypeUrl().equals(LDS), "an LDS resubscription");
        assertEquals(Map.of("web", webVersion), hello.getInitialResourceVersionsMap(), "it tells what it holds");
        DeltaDiscoveryRequest rds = cp.awaitDelta(r -> r.getTypeUrl().equals(RDS), "an RDS resubscription");
        assertEquals(List.of("routes"), rds.getResourceNamesSubscribeList());
        assertTrue(rds.getInitialResourceVersionsMap().containsKey("routes"), rds::toString);
        cp.awaitDeltaAck(RDS, "2");
        assertEquals("b", upstreamOf("/online"));
        assertEquals(1L, stats().get("control_plane.connected_state"));
    }
}
