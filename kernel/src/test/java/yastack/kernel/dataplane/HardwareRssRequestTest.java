package yastack.kernel.dataplane;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;
import static org.junit.jupiter.api.Assertions.assertEquals;
import yastack.api.config.Interface;
import yastack.api.config.Rss;
import yastack.api.config.Stack;
import yastack.kernel.fixtures.NetSetup;
import yastack.kernel.fixtures.Shell;
import yastack.kernel.fixtures.TestEal;
import yastack.kernel.io.dpdk.DpdkPort;
import yastack.stack.TcpConnection;
import yastack.stack.TcpHandler;

/**
 * {@code rss: hardware} on DPDK's net_tap with two queues. Where the device programs a
 * redirection table, each worker polls its own queue; where it cannot (here the kernel lacks
 * the multiq qdisc net_tap needs for its RSS flow rules, so DPDK reports no table), the data
 * plane falls back to the software distributor and says so. Either way: the kernel pings and
 * fetches, and every worker opens connections to a kernel listener from a port
 * {@link Dataplane#chooseLocalPort} picked; a reply reaching the wrong shard would be dropped
 * (hardware: by its flow filter; software: never, the distributor knows the owner) and the
 * connection would not complete.
 */
class HardwareRssRequestTest {
    @Test
    void netTapKeepsInboundAndOutboundFlowsOnTheirWorker() throws Exception {
        NetSetup.requireRootAnd("ping", "curl", "ip");
        TestEal.get();
        String sfx = NetSetup.suffix();
        String dev = "ydh" + sfx;
        int n = NetSetup.subnet();
        String ours = "10.79." + n + ".2", kernel = "10.79." + n + ".1";
        Stack stack = Stack.newBuilder().setIdle("adaptive").setRss(Rss.newBuilder().setMode("hardware"))
                .addInterfaces(Interface.newBuilder().setName("hw0").setBackend("dpdk")
                        .setVdev("net_tap_h" + sfx + ",iface=" + dev).setIp(ours + "/24")).build();
        try (Rig rig = Rig.start(stack, 2, PortOpener.BACKENDS);
             ServerSocket server = new ServerSocket()) {
            boolean deviceTable = ((DpdkPort) rig.dp.port("hw0")).redirectionTable().isPresent();
            assertEquals(deviceTable ? "hardware" : "software", rig.dp.rssMode("hw0"), rig.dp.rssNote("hw0"));
            assertEquals(2, rig.dp.port("hw0").queueCount());
            Shell.must("ip", "addr", "add", kernel + "/24", "dev", dev);
            Shell.quietly("ethtool", "-K", dev, "tx", "off", "tso", "off", "gso", "off", "gro", "off");
            BlobServer blob = new BlobServer(1 << 20, 2);
            blob.listen(rig, "hw0", 8080);
            assertEquals(20, NetSetup.ping20(ours), "ping replies");
            for (int i = 0; i < 4; i++) {
                assertEquals(blob.sha256, NetSetup.curlSha256("http://" + ours + ":8080/f" + i), "body " + i);
            }

            server.bind(new InetSocketAddress(InetAddress.getByName(kernel), 0));
            int kport = server.getLocalPort();
            int perWorker = 20;
            AtomicInteger receivedBytes = new AtomicInteger();
            Thread acceptor = Thread.ofPlatform().daemon().start(() -> {
                try {
                    for (int i = 0; i < 2 * perWorker; i++) {
                        Socket s = server.accept();
                        Thread.ofPlatform().daemon().start(() -> {
                            try (s; InputStream in = s.getInputStream()) {
                                byte[] b = new byte[64];
                                for (int r; (r = in.read(b)) > 0; ) receivedBytes.addAndGet(r);
                            } catch (IOException ignored) {
                                // counted bytes tell the story
                            }
                        });
                    }
                } catch (IOException ignored) {
                    // closed at the end
                }
            });
            AtomicIntegerArray connected = new AtomicIntegerArray(2);
            int kernelIp = Ipv4Addresses.of(InetAddress.getByName(kernel));
            for (int w = 0; w < 2; w++) {
                int worker = w;
                rig.onWorker(w, () -> {
                    TcpHandler h = new TcpHandler() {
                        @Override
                        public void onConnected(TcpConnection c) {
                            connected.incrementAndGet(worker);
                            c.write(ByteBuffer.wrap(new byte[32]));
                            c.close();
                        }
                    };
                    for (int i = 0; i < perWorker; i++) {
                        int p = rig.dp.chooseLocalPort(worker, "hw0", kernelIp, kport);
                        assertEquals(worker, rig.dp.runtime("hw0").hashedWorker(kernelIp, kport, p));
                        rig.dp.shard(worker, "hw0").connect(kernelIp, kport, p, h);
                    }
                    return null;
                });
            }
            long end = System.nanoTime() + 15_000_000_000L;
            while (receivedBytes.get() < 2 * perWorker * 32 && System.nanoTime() < end) Thread.sleep(20);
            assertEquals(perWorker, connected.get(0), "worker 0 connections");
            assertEquals(perWorker, connected.get(1), "worker 1 connections");
            assertEquals(2 * perWorker * 32, receivedBytes.get());
            assertEquals(0, rig.stats.value("stack.hw0.tcp.drop.not_owned"));
            server.close();
            acceptor.join(2000);
        } finally {
            Shell.quietly("ip", "link", "del", dev);
        }
    }
}
