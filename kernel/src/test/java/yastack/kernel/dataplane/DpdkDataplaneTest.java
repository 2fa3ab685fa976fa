package yastack.kernel.dataplane;

import yastack.kernel.fixtures.NetSetup;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import yastack.api.config.Interface;
import yastack.api.config.Rss;
import yastack.api.config.Stack;
import yastack.kernel.fixtures.Shell;
import yastack.kernel.fixtures.TestEal;

/**
 * The {@code dpdk} backend from config: net_af_packet on one end of a veth pair whose other
 * end lives in a network namespace. The device has one queue pair, so two workers share it
 * through the software distributor (the workers hand their frames back for transmission).
 */
class DpdkDataplaneTest {
    @Test
    void namespacePingsAndFetchesThroughAfPacket() throws Exception {
        NetSetup.requireRootAnd("ping", "curl", "ip", "ethtool");
        TestEal.get(); // EAL runs once per JVM, with the arguments every DPDK test shares
        String sfx = NetSetup.suffix();
        String ns = "ydns" + sfx, host = "ydva" + sfx, peer = "ydvb" + sfx;
        int n = NetSetup.subnet();
        String ours = "10.78." + n + ".2", theirs = "10.78." + n + ".1";
        String[] inNs = {"ip", "netns", "exec", ns};
        try {
            Shell.must("ip", "netns", "add", ns);
            Shell.must("ip", "link", "add", host, "type", "veth", "peer", "name", peer);
            Shell.must("ip", "link", "set", peer, "netns", ns);
            Shell.must("ip", "link", "set", host, "up");
            Shell.must(NetSetup.concat(inNs, "ip", "addr", "add", theirs + "/24", "dev", peer));
            Shell.must(NetSetup.concat(inNs, "ip", "link", "set", peer, "up"));
            Shell.quietly("ethtool", "-K", host, "tx", "off", "tso", "off", "gso", "off", "gro", "off");
            Shell.quietly(NetSetup.concat(inNs, "ethtool", "-K", peer, "tx", "off", "tso", "off", "gso", "off", "gro", "off"));
            Stack stack = Stack.newBuilder().setIdle("adaptive").setRss(Rss.newBuilder().setMode("software"))
                    .addInterfaces(Interface.newBuilder().setName("dp0").setBackend("dpdk")
                            .setVdev("net_af_packet7,iface=" + host).setIp(ours + "/24")).build();
            try (Rig rig = Rig.start(stack, 2, PortOpener.BACKENDS)) {
                BlobServer blob = new BlobServer(2 << 20, 2);
                blob.listen(rig, "dp0", 8080);
                assertEquals(20, NetSetup.ping20(ours, inNs), "ping replies");
                for (int i = 0; i < 4; i++) {
                    assertEquals(blob.sha256, NetSetup.curlSha256("http://" + ours + ":8080/f" + i, inNs), "body " + i);
                }
                assertEquals(4, blob.servedBy.get(0) + blob.servedBy.get(1));
                assertEquals(0, rig.stats.value("stack.dp0.tcp.rst_sent"));
            }
        } finally {
            Shell.quietly("ip", "link", "del", host);
            Shell.quietly("ip", "netns", "del", ns);
        }
    }
}
