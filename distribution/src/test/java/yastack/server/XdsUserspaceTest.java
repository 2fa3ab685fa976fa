package yastack.server;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static yastack.server.XdsFixture.NODE;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
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
    private String dev;
    private String ours;
    private String kernelSide;
    private TestUpstream kernelUp;
    private XdsFixture xds;

    @BeforeEach
    void start() throws Exception {
        Needs.tap("the userspace flavor from xDS (a TAP device as the stack's interface)", "ip", "curl");
        dev = "ysx" + Long.toString(ThreadLocalRandom.current().nextLong(1L << 30), 36);
        int n = 1 + ThreadLocalRandom.current().nextInt(250);
        ours = "10.81." + n + ".2";
        kernelSide = "10.81." + n + ".1";
        kernelUp = new TestUpstream("kernel-side", "0.0.0.0");
        xds = new XdsFixture("GRPC", """
                stack:
                  workers: 1
                  interfaces: [{name: tp0, backend: tap, device: %s, ip: %s/24}]
                """.formatted(dev, ours));
        UserspaceProxyTest.sh(true, "ip", "addr", "add", kernelSide + "/24", "dev", dev);
        UserspaceProxyTest.sh(false, "ethtool", "-K", dev, "tx", "off", "tso", "off", "gso", "off", "gro", "off");
    }

    @AfterEach
    void stop() throws Exception {
        try {
            if (xds != null) xds.close();
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
        xds.cp.set(NODE, "1", List.of(up), List.of(Envoy.endpoints("us_up", kernelSide, kernelUp.port())), List.of(web),
                List.of(Envoy.routes("routes", "/", "us_up")));
        xds.awaitApplied("1");

        for (int i = 0; i < 5; i++) {
            // The kernel reaches the listener's address only over the TAP device, through the stack.
            String out = UserspaceProxyTest.sh(true, "curl", "-sS", "--max-time", "10", "http://" + ours + ":8080/via/" + i);
            assertTrue(out.contains("upstream=kernel-side") && out.contains("uri=/via/" + i), out);
            assertTrue(out.contains("h:x-forwarded-for=" + kernelSide), out);
        }
        var stats = xds.proxy.proxy().stats();
        assertTrue(stats.value("listener.us_web.downstream_cx_total") >= 5, "the pushed listener took the connections");
        assertTrue(stats.value("cluster.us_up.upstream_rq_2xx") >= 5);
        assertTrue(stats.value("stack.tp0.tcp.connections_opened_active") >= 1,
                "the cluster's upstream connections were opened by the userspace stack");
        assertTrue(stats.value("stack.tp0.tcp.connections_opened_passive") >= 5, "the listener's connections came in on the stack");

        String listeners = xds.admin("/listeners").body();
        assertTrue(listeners.contains("us_web") && listeners.contains("\"userspace\""), listeners);
    }
}
