package yastack.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static yastack.server.XdsFixture.CDS;
import static yastack.server.XdsFixture.EDS;
import static yastack.server.XdsFixture.LDS;
import static yastack.server.XdsFixture.NODE;
import static yastack.server.XdsFixture.RDS;

import com.google.protobuf.util.Durations;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import yastack.dist.ControlPlane;
import yastack.dist.Envoy;
import yastack.proxy.fixtures.TestUpstream;

/**
 * yastack in-process under a real control plane over delta xDS ({@code api_type: DELTA_GRPC}):
 * java-control-plane's {@code SimpleCache} answering {@code DeltaAggregatedResources}, real
 * HTTP clients and upstreams. A delta ACK names only the nonce, so the control plane fixture
 * maps it back to the version of the response it answers.
 */
class XdsDeltaProxyTest {
    private XdsFixture xds;
    private TestUpstream a;
    private TestUpstream b;

    @BeforeEach
    void start() throws Exception {
        a = new TestUpstream("a");
        b = new TestUpstream("b");
        xds = new XdsFixture("DELTA_GRPC", "");
    }

    @AfterEach
    void stop() throws Exception {
        xds.close();
        a.close();
        b.close();
    }

    private String upstreamOf(String path) throws Exception {
        HttpResponse<String> r = xds.get(path);
        assertEquals(200, r.statusCode(), r::body);
        return r.headers().firstValue("x-upstream").orElse("");
    }

    private JsonObject xdsDump() throws Exception {
        return new JsonObject(xds.admin("/config_dump").body()).getJsonObject("xds");
    }

    private static Set<String> dynamicNames(JsonObject section) {
        Set<String> out = new HashSet<>();
        JsonArray dynamic = section.getJsonArray("dynamic");
        for (int i = 0; i < dynamic.size(); i++) out.add(dynamic.getJsonObject(i).getString("name"));
        return out;
    }

    private List<ClusterLoadAssignment> endpoints(int... apiPorts) {
        return XdsFixture.endpoints(b.port(), apiPorts);
    }

    @Test
    void aPushedListenerServesWithPerResourceVersions() throws Exception {
        xds.push("1", "api", endpoints(a.port()), Envoy.httpListener("web", xds.port, "routes"));
        xds.awaitApplied("1");
        assertEquals("a", upstreamOf("/hello"));
        assertEquals(200, xds.admin("/ready").statusCode());
        // Wildcard subscriptions for listeners and clusters (no names), named ones for routes and endpoints.
        DeltaDiscoveryRequest firstLds = xds.cp.awaitDelta(r -> r.getTypeUrl().equals(LDS), "an LDS request");
        assertEquals(0, firstLds.getResourceNamesSubscribeCount(), firstLds::toString);
        xds.cp.awaitDelta(r -> r.getTypeUrl().equals(RDS) && r.getResourceNamesSubscribeList().equals(List.of("routes")), "an RDS subscription");
        xds.cp.awaitDelta(r -> r.getTypeUrl().equals(EDS) && r.getResourceNamesSubscribeList().containsAll(List.of("api", "bapi")),
                "an EDS subscription");
        assertTrue(xds.cp.requests.isEmpty(), "no state-of-the-world request: " + xds.cp.requests);
        Map<String, Long> stats = xds.stats();
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
        String sent = xds.cp.deltaResponses.stream().filter(r -> r.getTypeUrl().equals(LDS)).findFirst().orElseThrow()
                .getResources(0).getVersion();
        assertFalse(sent.isEmpty());
        assertEquals(sent, web.getString("version_info"), "each resource shows the version the control plane gave it");
    }

    @Test
    void aRouteChangeReroutes() throws Exception {
        xds.push("1", "api", endpoints(a.port()), Envoy.httpListener("web", xds.port, "routes"));
        xds.awaitApplied("1");
        assertEquals("a", upstreamOf("/x"));
        xds.push("2", "bapi", endpoints(a.port()), Envoy.httpListener("web", xds.port, "routes"));
        xds.cp.awaitDeltaAck(RDS, "2");
        assertEquals("b", upstreamOf("/x"));
        assertEquals(2L, xds.stats().get("http.web.rds.routes.update_success"));
        assertTrue(xds.cp.deltaResponses.stream().filter(r -> r.getTypeUrl().equals(LDS)).count() == 1,
                "the unchanged listener is not sent again");
    }

    @Test
    void anEndpointAndAClusterRemovedAreRemoved() throws Exception {
        try (TestUpstream c = new TestUpstream("c")) {
            xds.push("1", "api", endpoints(a.port(), c.port()), Envoy.httpListener("web", xds.port, "routes"));
            xds.awaitApplied("1");
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < 6; i++) seen.add(upstreamOf("/both"));
            assertEquals(Set.of("a", "c"), seen);

            xds.push("2", "api", endpoints(c.port()), Envoy.httpListener("web", xds.port, "routes"));
            xds.cp.awaitDeltaAck(EDS, "2");
            int aBefore = a.requests.get();
            for (int i = 0; i < 6; i++) assertEquals("c", upstreamOf("/one"));
            assertEquals(aBefore, a.requests.get(), "the removed endpoint gets nothing");
            assertEquals(2L, xds.stats().get("cluster.api.update_success"));

            // Cluster bapi goes: the control plane names it in removed_resources.
            xds.cp.set(NODE, "3", List.of(Envoy.edsCluster("api")), List.of(Envoy.endpoints("api", "127.0.0.1", c.port())),
                    List.of(Envoy.httpListener("web", xds.port, "routes")), List.of(Envoy.routes("routes", "/", "api")));
            xds.cp.awaitDeltaAck(CDS, "3");
            assertTrue(xds.cp.deltaResponses.stream().anyMatch(r -> r.getTypeUrl().equals(CDS) && r.getRemovedResourcesList().contains("bapi")));
            assertEquals(Set.of("api"), dynamicNames(xdsDump().getJsonObject("clusters")));
            xds.cp.awaitDelta(r -> r.getTypeUrl().equals(EDS) && r.getResourceNamesUnsubscribeList().equals(List.of("bapi")),
                    "an EDS unsubscription of bapi");
            assertEquals("c", upstreamOf("/after"));
        }
    }

    @Test
    void aBadClusterIsNackedAndTrafficContinues() throws Exception {
        xds.push("1", "api", endpoints(a.port()), Envoy.httpListener("web", xds.port, "routes"));
        xds.awaitApplied("1");
        Cluster bad = Envoy.edsCluster("api").toBuilder().setType(Cluster.DiscoveryType.ORIGINAL_DST).build();
        xds.cp.set(NODE, "2", List.of(bad, Envoy.edsCluster("bapi")), endpoints(a.port()),
                List.of(Envoy.httpListener("web", xds.port, "routes")), List.of(Envoy.routes("routes", "/", "api")));
        DeltaDiscoveryRequest nack = xds.cp.awaitDelta(r -> r.getTypeUrl().equals(CDS) && r.hasErrorDetail(), "a CDS NACK");
        assertEquals("2", xds.cp.deltaVersionAnswered(nack));
        assertEquals("Cluster 'api': type: ORIGINAL_DST is not supported (STATIC, STRICT_DNS, LOGICAL_DNS and EDS are)",
                nack.getErrorDetail().getMessage());
        assertEquals("a", upstreamOf("/still"));
        Map<String, Long> stats = xds.stats();
        assertEquals(1L, stats.get("cluster_manager.cds.update_rejected"), stats::toString);
        assertEquals(1L, stats.get("cluster_manager.cds.update_success"), stats::toString);
        JsonObject clusters = xdsDump().getJsonObject("clusters");
        assertEquals("1", clusters.getString("version_info"), "the last good version is kept");
        assertTrue(clusters.getJsonObject("last_rejected").getString("error").contains("ORIGINAL_DST is not supported"));

        // A fixed version is taken (a real change: java-control-plane sends only what differs
        // from what the client ACKed, and version 1's cluster is still held).
        Cluster fixed = Envoy.edsCluster("api").toBuilder().setConnectTimeout(Durations.fromSeconds(2)).build();
        xds.cp.set(NODE, "3", List.of(fixed, Envoy.edsCluster("bapi")), endpoints(a.port()),
                List.of(Envoy.httpListener("web", xds.port, "routes")), List.of(Envoy.routes("routes", "/", "bapi")));
        xds.cp.awaitDeltaAck(CDS, "3");
        xds.cp.awaitDeltaAck(RDS, "3");
        assertEquals("b", upstreamOf("/fixed"));
        assertEquals("3", xdsDump().getJsonObject("clusters").getString("version_info"));
        assertEquals(2L, xds.stats().get("cluster_manager.cds.update_success"));
    }

    @Test
    void itResubscribesWithItsVersionsWhenTheControlPlaneComesBack() throws Exception {
        xds.push("1", "api", endpoints(a.port()), Envoy.httpListener("web", xds.port, "routes"));
        xds.awaitApplied("1");
        String webVersion = xdsDump().getJsonObject("listeners").getJsonArray("dynamic").getJsonObject(0).getString("version_info");
        int cpPort = xds.cp.port();
        xds.cp.close();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (xds.stats().get("control_plane.connected_state") != 0 && System.nanoTime() < deadline) Thread.sleep(20);
        assertEquals(0L, xds.stats().get("control_plane.connected_state"));
        assertEquals("a", upstreamOf("/offline"), "the last config keeps serving");

        xds.cp = new ControlPlane(cpPort);
        xds.push("2", "bapi", endpoints(a.port()), Envoy.httpListener("web", xds.port, "routes"));
        DeltaDiscoveryRequest hello = xds.cp.awaitDelta(r -> r.getTypeUrl().equals(LDS), "an LDS resubscription");
        assertEquals(Map.of("web", webVersion), hello.getInitialResourceVersionsMap(), "it tells what it holds");
        DeltaDiscoveryRequest rds = xds.cp.awaitDelta(r -> r.getTypeUrl().equals(RDS), "an RDS resubscription");
        assertEquals(List.of("routes"), rds.getResourceNamesSubscribeList());
        assertTrue(rds.getInitialResourceVersionsMap().containsKey("routes"), rds::toString);
        xds.cp.awaitDeltaAck(RDS, "2");
        assertEquals("b", upstreamOf("/online"));
        assertEquals(1L, xds.stats().get("control_plane.connected_state"));
    }
}
