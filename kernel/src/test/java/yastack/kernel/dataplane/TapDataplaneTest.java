package yastack.kernel.dataplane;

import yastack.kernel.fixtures.NetSetup;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import yastack.api.config.Interface;
import yastack.api.config.Rss;
import yastack.api.config.Stack;
import yastack.kernel.fixtures.Shell;

/**
 * The {@code tap} backend from config, two workers behind the software distributor: the Linux
 * kernel on the other side of the TAP resolves our address, pings it and fetches a 2 MiB body
 * over TCP with curl.
 */
class TapDataplaneTest {
    @Test
    void kernelPingsAndFetchesThroughTheStack() throws Exception {
        NetSetup.requireRootAnd("ping", "curl", "ip");
        String dev = "ydt" + NetSetup.suffix();
        int n = NetSetup.subnet();
        String ours = "10.77." + n + ".2", kernel = "10.77." + n + ".1";
        Stack stack = Stack.newBuilder().setIdle("adaptive").setRss(Rss.newBuilder().setMode("software"))
                .addInterfaces(Interface.newBuilder().setName("tp0").setBackend("tap").setDevice(dev)
                        .setIp(ours + "/24").setMtu(1500)).build();
        try (Rig rig = Rig.start(stack, 2, PortOpener.BACKENDS)) {
            Shell.must("ip", "addr", "add", kernel + "/24", "dev", dev);
            BlobServer blob = new BlobServer(2 << 20, 2);
            blob.listen(rig, "tp0", 8080);

            assertEquals(20, NetSetup.ping20(ours), "ping replies");
            for (int i = 0; i < 6; i++) {
                assertEquals(blob.sha256, NetSetup.curlSha256("http://" + ours + ":8080/f" + i), "body " + i);
            }
            assertEquals(6, blob.servedBy.get(0) + blob.servedBy.get(1));
            assertTrue(rig.stats.value("stack.tp0.icmp.echo_replies_sent") >= 20);
            assertTrue(rig.stats.value("stack.tp0.arp.replies_sent") >= 1);
            assertEquals(0, rig.stats.value("stack.tp0.tcp.rst_sent"));
            assertTrue(rig.stats.value("worker.0.tx_bytes") + rig.stats.value("worker.1.tx_bytes") > 12L << 20);
        } finally {
            Shell.quietly("ip", "link", "del", dev);
        }
    }
}
