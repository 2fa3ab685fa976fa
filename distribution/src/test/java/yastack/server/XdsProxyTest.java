package yastack.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static yastack.server.XdsFixture.CDS;
import static yastack.server.XdsFixture.EDS;
import static yastack.server.XdsFixture.LDS;
import static yastack.server.XdsFixture.NODE;
import static yastack.server.XdsFixture.RDS;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import yastack.dist.ControlPlane;
import yastack.dist.Envoy;
import yastack.proxy.fixtures.TestUpstream;

/**
 * yastack in-process under a real control plane: java-control-plane's {@code SimpleCache} and
 * {@code V3DiscoveryServer} on a real port, real HTTP clients and upstreams.
 */
class XdsProxyTest {
    private XdsFixture xds;
    private TestUpstream a;
    private TestUpstream b;

    @BeforeEach
    void start() throws Exception {
        a = new TestUpstream("a");
        b = new TestUpstream("b");
        xds = new XdsFixture("GRPC", "");
    }

    @AfterEach
    void stop() throws Exception {
        xds.close();
        a.close();
        b.close();
    }

    private List<ClusterLoadAssignment> endpoints(int... apiPorts) {
        return XdsFixture.endpoints(b.port(), apiPorts);
    }

    @Test
    void pushedListenerRoutesAndEndpointsServe() throws Exception {
        xds.push("1", "api", endpoints(a.port()), Envoy.httpListener("web", xds.port, "routes"));
        xds.awaitApplied("1");
        HttpResponse<String> r = xds.get("/hello");
        assertEquals(200, r.statusCode(), r::body);
        assertEquals("a", r.headers().firstValue("x-upstream").orElse(""));
        assertEquals(200, xds.admin("/ready").statusCode());
        Map<String, Long> stats = xds.stats();
        assertEquals(1L, stats.get("control_plane.connected_state"), stats::toString);
        assertEquals(1L, stats.get("listener_manager.lds.update_success"), stats::toString);
        assertEquals(1L, stats.get("cluster_manager.cds.update_success"), stats::toString);
        assertEquals(1L, stats.get("http.web.rds.routes.update_success"), stats::toString);
        assertEquals(1L, stats.get("cluster.api.update_success"), stats::toString);
        JsonObject dump = new JsonObject(xds.admin("/config_dump").body());
        JsonObject xds = dump.getJsonObject("xds");
        assertEquals("1", xds.getJsonObject("listeners").getString("version_info"));
        JsonObject web = xds.getJsonObject("listeners").getJsonArray("dynamic").getJsonObject(0);
        assertEquals("web", web.getString("name"));
        assertEquals("active", web.getString("state"));
        assertEquals("web", dump.getJsonArray("listeners").getJsonObject(0).getString("name"));
    }

    @Test
    void aNewRouteVersionReroutes() throws Exception {
        xds.push("1", "api", endpoints(a.port()), Envoy.httpListener("web", xds.port, "routes"));
        xds.awaitApplied("1");
        assertEquals("a", xds.get("/x").headers().firstValue("x-upstream").orElse(""));
        xds.push("2", "bapi", endpoints(a.port()), Envoy.httpListener("web", xds.port, "routes"));
        xds.cp.awaitAck(RDS, "2");
        HttpResponse<String> r = xds.get("/x");
        assertEquals(200, r.statusCode(), r::body);
        assertEquals("b", r.headers().firstValue("x-upstream").orElse(""));
        assertEquals(2L, xds.stats().get("http.web.rds.routes.update_success"));
    }

    @Test
    void endpointsComeAndGoUnderLoadWithoutAFailedRequest() throws Exception {
        xds.push("1", "api", endpoints(a.port()), Envoy.httpListener("web", xds.port, "routes"));
        xds.awaitApplied("1");
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
                        HttpResponse<String> r = xds.get("/load");
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
            xds.push("2", "api", endpoints(a.port(), c.port()), Envoy.httpListener("web", xds.port, "routes"));
            xds.cp.awaitAck(EDS, "2");
            Thread.sleep(500);
            xds.push("3", "api", endpoints(c.port()), Envoy.httpListener("web", xds.port, "routes"));
            xds.cp.awaitAck(EDS, "3");
            int aBefore = a.requests.get();
            Thread.sleep(500);
            xds.push("4", "api", endpoints(a.port()), Envoy.httpListener("web", xds.port, "routes"));
            xds.cp.awaitAck(EDS, "4");
            Thread.sleep(300);
            stop.set(true);
            for (Thread t : load) t.join(15_000);
            assertTrue(failures.isEmpty(), () -> "failed requests during endpoint changes: " + failures + "; served " + served);
            assertTrue(served.getOrDefault("c", 0) > 0, () -> "the added endpoint never served: " + served);
            assertTrue(a.requests.get() > aBefore, "the endpoint added back serves again");
            assertEquals(4L, xds.stats().get("cluster.api.update_success"));
        } finally {
            stop.set(true);
            for (Thread t : load) t.join(15_000);
            c.close();
        }
    }

    @Test
    void anUnsupportedFieldIsNackedNamingItAndTheLastGoodConfigServes() throws Exception {
        xds.push("1", "api", endpoints(a.port()), Envoy.httpListener("web", xds.port, "routes"));
        xds.awaitApplied("1");
        Cluster bad = Envoy.edsCluster("api").toBuilder().setType(Cluster.DiscoveryType.ORIGINAL_DST).build();
        xds.cp.set(NODE, "2", List.of(bad, Envoy.edsCluster("bapi")), endpoints(a.port()),
                List.of(Envoy.httpListener("web", xds.port, "routes")), List.of(Envoy.routes("routes", "/", "bapi")));
        DiscoveryRequest nack = xds.cp.await(r -> r.getTypeUrl().equals(CDS) && r.hasErrorDetail(), "a CDS NACK");
        assertEquals("1", nack.getVersionInfo(), "a NACK carries the last version accepted");
        assertEquals("Cluster 'api': type: ORIGINAL_DST is not supported (STATIC, STRICT_DNS, LOGICAL_DNS and EDS are)", nack.getErrorDetail().getMessage());
        HttpResponse<String> r = xds.get("/still");
        assertEquals(200, r.statusCode(), r::body);
        Map<String, Long> stats = xds.stats();
        assertTrue(stats.getOrDefault("cluster_manager.cds.update_rejected", 0L) >= 1, stats::toString);
        assertEquals(1L, stats.get("cluster_manager.cds.update_success"), stats::toString);
        String dump = xds.admin("/config_dump").body();
        assertTrue(dump.contains("ORIGINAL_DST is not supported"), "the config dump shows the last rejection");
    }

    @Test
    void aUserspaceResourceWithoutAStackInTheBootstrapIsNacked() throws Exception {
        xds.cp.set(NODE, "1", List.of(Envoy.withFlavor(Envoy.edsCluster("api"), "userspace")), endpoints(a.port()),
                List.of(), List.of());
        DiscoveryRequest nack = xds.cp.await(r -> r.hasErrorDetail(), "a NACK");
        assertTrue(nack.getErrorDetail().getMessage().startsWith("Cluster 'api': ")
                && nack.getErrorDetail().getMessage().contains("flavor userspace needs a stack"), nack.getErrorDetail().getMessage());
    }

    @Test
    void theControlPlaneGoesAwayAndComesBack() throws Exception {
        xds.push("1", "api", endpoints(a.port()), Envoy.httpListener("web", xds.port, "routes"));
        xds.awaitApplied("1");
        int cpPort = xds.cp.port();
        xds.cp.close();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (xds.stats().get("control_plane.connected_state") != 0 && System.nanoTime() < deadline) Thread.sleep(20);
        assertEquals(0L, xds.stats().get("control_plane.connected_state"));
        HttpResponse<String> r = xds.get("/offline");
        assertEquals(200, r.statusCode(), "the last config keeps serving: " + r.body());
        assertEquals("a", r.headers().firstValue("x-upstream").orElse(""));

        xds.cp = new ControlPlane(cpPort);
        xds.push("2", "bapi", endpoints(a.port()), Envoy.httpListener("web", xds.port, "routes"));
        // It resubscribes telling the new control plane what it runs (version 1), then takes version 2.
        xds.cp.await(r2 -> r2.getTypeUrl().equals(LDS) && r2.getVersionInfo().equals("1") && r2.getResponseNonce().isEmpty(),
                "a resubscription with the last version");
        xds.cp.awaitAck(RDS, "2");
        r = xds.get("/online");
        assertEquals(200, r.statusCode(), r::body);
        assertEquals("b", r.headers().firstValue("x-upstream").orElse(""));
        assertEquals(1L, xds.stats().get("control_plane.connected_state"));
    }

    @Test
    void aJavaScriptFilterPushedInlineActsOnTheNextRequest() throws Exception {
        xds.push("1", "api", endpoints(a.port()), Envoy.httpListener("web", xds.port, "routes"));
        xds.awaitApplied("1");
        assertEquals(200, xds.get("/js", "x-block", "1").statusCode());
        xds.push("2", "api", endpoints(a.port()), Envoy.httpListener("web", xds.port, "routes", Envoy.javascript("block",
                "export function onRequest(req, ctx) { if (req.headers['x-block']) return {status: 451, body: 'blocked by xds\\n'}; }\n")));
        xds.cp.awaitAck(LDS, "2");
        HttpResponse<String> r = xds.get("/js", "x-block", "1");
        assertEquals(451, r.statusCode(), r::body);
        assertEquals("blocked by xds\n", r.body());
        assertEquals(200, xds.get("/js").statusCode());
        xds.push("3", "api", endpoints(a.port()), Envoy.httpListener("web", xds.port, "routes", Envoy.javascript("block",
                "export function onRequest(req, ctx) { if (req.headers['x-block']) return {status: 403, body: 'v3\\n'}; }\n")));
        xds.cp.awaitAck(LDS, "3");
        assertEquals(403, xds.get("/js", "x-block", "1").statusCode(), "the new script version replaced the old one");
    }
}
