package yastack.kernel.dataplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import yastack.kernel.config.ConfigLoader;
import yastack.kernel.io.support.Shell;
import yastack.kernel.io.support.TestEal;
import yastack.kernel.proxy.TestUpstream;
import yastack.kernel.runtime.ProxyInstance;

/**
 * Kernel bypass end to end: a client in a network namespace -> veth -> DPDK net_af_packet ->
 * the Java TCP stack -> a userspace HTTP listener of the real proxy -> a host upstream.
 */
class DpdkProxyTest {
    @Test
    void namespaceClientThroughDpdkToUserspaceListener() throws Exception {
        NetSetup.requireRootAnd("curl", "ip", "ethtool");
        TestEal.get(); // EAL runs once per JVM; the data plane probes its own vdev
        String sfx = NetSetup.suffix();
        String ns = "ypns" + sfx, host = "ypva" + sfx, peer = "ypvb" + sfx;
        int n = NetSetup.subnet();
        String ours = "10.76." + n + ".2", theirs = "10.76." + n + ".1";
        String[] inNs = {"ip", "netns", "exec", ns};
        Path dir = Files.createTempDirectory("yastack-dpdk-proxy");
        try (TestUpstream up = new TestUpstream("host-upstream")) {
            Shell.must("ip", "netns", "add", ns);
            Shell.must("ip", "link", "add", host, "type", "veth", "peer", "name", peer);
            Shell.must("ip", "link", "set", peer, "netns", ns);
            Shell.must("ip", "link", "set", host, "up");
            Shell.must(NetSetup.concat(inNs, "ip", "addr", "add", theirs + "/24", "dev", peer));
            Shell.must(NetSetup.concat(inNs, "ip", "link", "set", peer, "up"));
            Shell.quietly("ethtool", "-K", host, "tx", "off", "tso", "off", "gso", "off", "gro", "off");
            Shell.quietly(NetSetup.concat(inNs, "ethtool", "-K", peer, "tx", "off", "tso", "off", "gso", "off", "gro", "off"));
            Path cfg = dir.resolve("yastack.yaml");
            Files.writeString(cfg, NetSetup.userspaceProxyYaml("rss: {mode: software}", "net_af_packet9,iface=" + host, ours, "bypass", up.port()));
            try (ProxyInstance proxy = ProxyInstance.start(ConfigLoader.load(cfg), 2, 0, false)) {
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
        } finally {
            Shell.quietly("ip", "link", "del", host);
            Shell.quietly("ip", "netns", "del", ns);
        }
    }
}
