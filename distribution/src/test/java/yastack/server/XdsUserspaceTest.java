package yastack.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import yastack.config.ConfigLoader;
import yastack.dist.ControlPlane;
import yastack.dist.Envoy;
import yastack.kernel.fixtures.Needs;
import yastack.proxy.fixtures.TestUpstream;

/**
 * The socket flavor set by a control plane: java-control-plane pushes a listener and a cluster
 * whose metadata ({@code filter_metadata: {yastack: {flavor: userspace}}}) puts them on the
 * userspace stack, whose interface is a TAP device with the Linux kernel as its peer. A curl
 * on the kernel side reaches the listener (its address exists only on the stack), and the
 * cluster's connections to an upstream on the kernel side are opened by the stack.
 */
class XdsUserspaceTest {
    private static final String LDS = "type.googleapis.com/envoy.config.listener.v3.Listener";
    private static final String RDS = "type.googleapis.com/envoy.config.route.v3.RouteConfiguration";
    private static final String CDS = "type.googleapis.com/envoy.config.cluster.v3.Cluster";
    private static final String EDS = "type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment";
    private String dev;
    private String ours;
    private String kernelSide;
    private ControlPlane cp;
    private TestUpstream kernelUp;
    private ProxyInstance proxy;

    @BeforeEach
    void start() throws Exception {
        Needs.tap("the userspace flavor from xDS (a TAP device as the stack's interface)", "ip", "curl");
        dev = "ysx" + Long.toString(ThreadLocalRandom.current().nextLong(1L << 30), 36);
        int n = 1 + ThreadLocalRandom.current().nextInt(250);
        ours = "10.81." + n + ".2";
        kernelSide = "10.81." + n + ".1";
        cp = new ControlPlane(0);
        kernelUp = new TestUpstream("kernel-side", "0.0.0.0");
        proxy = ProxyInstance.start(ConfigLoader.parse("""
                node: {id: edge-1, cluster: edge}
                dynamic_resources:
                  ads_config: {api_type: GRPC, grpc_services: [{envoy_grpc: {cluster_name: xds}}]}
                  lds_config: {ads: {}, initial_fetch_timeout: 5s}
                  cds_config: {ads: {}, initial_fetch_timeout: 5s}
                stack:
                  workers: 1
                  interfaces: [{name: tp0, backend: tap, device: %s, ip: %s/24}]
                clusters:
                  - {name: xds, http2_protocol_options: {}, endpoints: [{address: 127.0.0.1, port: %d}]}
                """.formatted(dev, ours, cp.port()), Path.of(".")), 1, 0, false);
        UserspaceProxyTest.sh(true, "ip", "addr", "add", kernelSide + "/24", "dev", dev);
        UserspaceProxyTest.sh(false, "ethtool", "-K", dev, "tx", "off", "tso", "off", "gso", "off", "gro", "off");
    }

    @AfterEach
    void stop() throws Exception {
        try {
            if (proxy != null) proxy.close();
            if (cp != null) cp.close();
            if (kernelUp != null) kernelUp.close();
        } finally {
            if (dev != null) UserspaceProxyTest.sh(false, "ip", "link", "del", dev);
        }
    }

    @Test
    void aListenerAndAClusterPushedWithTheUserspaceFlavorServeThroughTheStack() throws Exception {
        Listener web = Envoy.withFlavor(Envoy.httpListener("us_web", 8080, "routes"), "userspace").toBuilder()
                .setAddress(Envoy.address(ours, 8080)).build();
        Cluster up = Envoy.withFlavor(Envoy.edsCluster("us_up"), "userspace");
        cp.set("edge-1", "1", List.of(up), List.of(Envoy.endpoints("us_up", kernelSide, kernelUp.port())), List.of(web),
                List.of(Envoy.routes("routes", "/", "us_up")));
        for (String type : List.of(CDS, EDS, LDS, RDS)) cp.awaitAck(type, "1");

        for (int i = 0; i < 5; i++) {
            // The kernel reaches the listener's address only over the TAP device, through the stack.
            String out = UserspaceProxyTest.sh(true, "curl", "-sS", "--max-time", "10", "http://" + ours + ":8080/via/" + i);
            assertTrue(out.contains("upstream=kernel-side") && out.contains("uri=/via/" + i), out);
            assertTrue(out.contains("h:x-forwarded-for=" + kernelSide), out);
        }
        var stats = proxy.proxy().stats();
        assertTrue(stats.value("listener.us_web.downstream_cx_total") >= 5, "the pushed listener took the connections");
        assertTrue(stats.value("cluster.us_up.upstream_rq_2xx") >= 5);
        assertTrue(stats.value("stack.tp0.tcp.connections_opened_active") >= 1,
                "the cluster's upstream connections were opened by the userspace stack");
        assertTrue(stats.value("stack.tp0.tcp.connections_opened_passive") >= 5, "the listener's connections came in on the stack");

        HttpClient c = HttpClient.newHttpClient();
        String listeners = c.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.adminPort() + "/listeners")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertTrue(listeners.contains("us_web") && listeners.contains("\"userspace\""), listeners);
    }
}
