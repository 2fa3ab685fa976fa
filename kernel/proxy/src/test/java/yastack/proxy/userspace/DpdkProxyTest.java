package yastack.proxy.userspace;

import yastack.kernel.fixtures.NamespacedVeth;
import yastack.kernel.fixtures.NetSetup;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import yastack.config.ConfigLoader;
import yastack.kernel.fixtures.Shell;
import yastack.kernel.fixtures.TestEal;
import yastack.proxy.fixtures.TestUpstream;
import yastack.proxy.fixtures.Engines;
import yastack.proxy.ProxyEngine;

/**
 * Kernel bypass end to end: a client in a network namespace -> veth -> DPDK net_af_packet ->
 * the Java TCP stack -> a userspace HTTP listener of the real proxy -> a host upstream.
 */
class DpdkProxyTest {
    @Test
    void namespaceClientThroughDpdkToUserspaceListener() throws Exception {
        NetSetup.requireRootAnd("curl", "ip", "ethtool");
        TestEal.get(); // EAL runs once per JVM; the data plane probes its own vdev
        Path dir = Files.createTempDirectory("yastack-dpdk-proxy");
        try (TestUpstream up = new TestUpstream("host-upstream"); NamespacedVeth v = new NamespacedVeth("yp", 76)) {
            String ours = v.ours, theirs = v.theirs;
            String[] inNs = v.inNs;
            Path cfg = dir.resolve("yastack.yaml");
            Files.writeString(cfg, NetSetup.userspaceProxyYaml("rss: {mode: software}", "net_af_packet9,iface=" + v.host, ours, "bypass", up.port()));
            try (ProxyEngine proxy = Engines.start(ConfigLoader.load(cfg), 2)) {
                for (int i = 0; i < 5; i++) {
                    String body = Shell.must(NetSetup.concat(inNs, "curl", "-sS", "--max-time", "10", "http://" + ours + ":8080/bypass/" + i));
                    assertTrue(body.contains("upstream=host-upstream") && body.contains("uri=/bypass/" + i), body);
                    assertTrue(body.contains("h:x-forwarded-for=" + theirs), body);
                }
                long size = 32L << 20;
                String expected = Shell.must("sh", "-c", "curl -sS http://127.0.0.1:" + up.port() + "/bytes/" + size + " | sha256sum").split(" ")[0];
                assertEquals(expected, NetSetup.curlSha256("http://" + ours + ":8080/bytes/" + size, inNs), "32 MiB through DPDK");
                assertTrue(proxy.proxy().stats().value("http.bypass.downstream_rq_2xx") >= 6);
            }
        }
    }
}
