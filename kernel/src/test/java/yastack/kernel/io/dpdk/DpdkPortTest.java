package yastack.kernel.io.dpdk;

import yastack.kernel.fixtures.Needs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static yastack.kernel.fixtures.Frames.ip;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import yastack.kernel.fixtures.BurstLoop;
import yastack.kernel.fixtures.Frames;
import yastack.kernel.fixtures.PingResponder;
import yastack.kernel.fixtures.Shell;
import yastack.kernel.fixtures.TestEal;
import yastack.kernel.io.MacAddress;
import yastack.kernel.io.PacketIoException;
import yastack.kernel.io.PacketPort;
import yastack.kernel.io.PortStats;
import yastack.kernel.io.RxBatch;
import yastack.kernel.io.TxBatch;
import yastack.kernel.io.rss.Toeplitz;

/**
 * DPDK ports through FFM and the shim: loopback bursts over net_ring, generated traffic over
 * net_null, and the Linux kernel pinging a Java responder over net_af_packet on a veth pair.
 * All share the test JVM's single EAL ({@link TestEal}).
 */
class DpdkPortTest {
    private static final MacAddress PEER = MacAddress.parse("02:00:00:00:00:99");

    @Test
    void ealIsInitialisedOnceAndRejectsOtherArguments() {
        DpdkEal eal = TestEal.get();
        assertTrue(eal == DpdkEal.init(TestEal.ARGS));
        assertThrows(IllegalStateException.class, () -> DpdkEal.init(List.of("--no-pci")));
        // the devices named in the EAL arguments exist (no other test opens, hence releases, them)
        assertTrue(eal.portNames().containsAll(List.of("net_ring0", "net_null0")), eal.portNames().toString());
        assertEquals("net_ring0", eal.portName(eal.portId("net_ring0")));
        assertThrows(PacketIoException.class, () -> eal.portId("no_such_port"));
    }

    @Test
    void ringLoopbackCarriesBurstsInOrderPerQueue() {
        DpdkEal eal = TestEal.get();
        // closing a port releases a virtual device, so each test probes its own
        int id = eal.probe("net_ring_a" + Shell.uniqueSuffix());
        try (DpdkPort port = eal.open(id, DpdkPortConfig.defaults(2).withRings(512, 512, 2047))) {
            assertEquals(2, port.queueCount());
            assertTrue(port.linkUp());
            assertTrue(port.rssStatus().startsWith("off"), port.rssStatus());
            assertTrue(port.redirectionTable().isEmpty());
            RxBatch rx = port.newRxBatch();
            long bytes = 0;
            for (int q = 0; q < 2; q++) {
                try (TxBatch tx = port.newTxBatch(q)) {
                    assertTrue(tx.capacity() >= 1514, "capacity " + tx.capacity());
                    for (int seq = 0; seq < 100; seq++) {
                        long off = tx.acquire();
                        assertTrue(off >= 0);
                        int len = Frames.udp(tx.buffer(), off, PEER, port.mac(), ip(10, 0, 0, 1), ip(10, 0, 0, 2),
                                1000 + q, 9, seq * 10 + q, 20 + seq);
                        tx.commit(len);
                        bytes += len;
                    }
                }
                int seq = 0;
                for (int round = 0; round < 10 && seq < 100; round++) {
                    int n = port.receiveBurst(q, rx);
                    assertTrue(n <= PacketPort.MAX_BURST);
                    for (int i = 0; i < n; i++, seq++) {
                        assertEquals(14 + 20 + 8 + 20 + seq, rx.length(i));
                        MemorySegment f = rx.frame(i);
                        assertEquals(seq * 10 + q, Frames.udpSeq(f, 0));
                        assertEquals(1000 + q, Frames.udpSrcPort(f, 0));
                        assertEquals(port.mac(), MacAddress.read(f, 6));
                        // the last payload byte made it intact
                        assertEquals((byte) (seq * 10 + q + 20 + seq - 1), f.get(ValueLayout.JAVA_BYTE, f.byteSize() - 1));
                    }
                    rx.release();
                }
                assertEquals(100, seq, "queue " + q);
                assertEquals(0, port.receiveBurst(q, rx));
                assertEquals(100, port.queueStats(q).rxPackets());
                assertEquals(100, port.queueStats(q).txPackets());
            }
            PortStats s = port.stats();
            assertEquals(200, s.rxPackets());
            assertEquals(200, s.txPackets());
            assertEquals(bytes, s.txBytes());
            assertEquals(bytes, s.rxBytes());
            DpdkDeviceStats d = port.deviceStats();
            assertEquals(200, d.opackets());
            assertEquals(200, d.ipackets());
            // stop takes the link down and start brings the port back with its queues intact
            port.stop();
            assertFalse(port.linkUp());
            port.start();
            assertTrue(port.linkUp());
            try (TxBatch tx = port.newTxBatch(1)) {
                long off = tx.acquire();
                tx.commit(Frames.udp(tx.buffer(), off, PEER, port.mac(), 1, 2, 3, 4, 77, 18));
            }
            assertEquals(1, port.receiveBurst(1, rx));
            assertEquals(77, Frames.udpSeq(rx.buffer(), rx.offset(0)));
            rx.release();
        }
    }

    @Test
    void fullTransmitRingDropsAreCounted() {
        DpdkEal eal = TestEal.get();
        int id = eal.probe("net_ring_b" + Shell.uniqueSuffix());
        try (DpdkPort port = eal.open(id, DpdkPortConfig.defaults(1).withRings(512, 512, 4095))) {
            RxBatch rx = port.newRxBatch();
            int sent = 0;
            try (TxBatch tx = port.newTxBatch(0)) {
                for (int i = 0; i < 3000; i++) {
                    long off = tx.acquire();
                    assertTrue(off >= 0, "pool exhausted at " + i);
                    tx.commit(Frames.udp(tx.buffer(), off, PEER, port.mac(), 1, 2, 3, 4, i, 18));
                    if (tx.pending() == PacketPort.MAX_BURST) {
                        sent += tx.flush();
                    }
                }
                sent += tx.flush();
            }
            PortStats s = port.stats();
            assertTrue(s.txRingFull() > 0, "the ring should have filled: " + s);
            assertEquals(3000, s.txPackets() + s.txRingFull());
            assertEquals(sent, s.txPackets());
            int got = 0;
            for (int n; (n = port.receiveBurst(0, rx)) > 0; ) {
                got += n;
            }
            rx.release();
            assertEquals(sent, got);
        }
    }

    @Test
    void nullDeviceGeneratesAndSwallowsBursts() {
        DpdkEal eal = TestEal.get();
        int id = eal.probe("net_null_c" + Shell.uniqueSuffix());
        try (DpdkPort port = eal.open(id, DpdkPortConfig.defaults(1))) {
            RxBatch rx = port.newRxBatch();
            assertEquals(PacketPort.MAX_BURST, port.receiveBurst(0, rx));
            for (int i = 0; i < rx.count(); i++) {
                assertEquals(64, rx.length(i));
            }
            rx.release();
            try (TxBatch tx = port.newTxBatch(0)) {
                for (int i = 0; i < 100; i++) {
                    long off = tx.acquire();
                    tx.commit(Frames.udp(tx.buffer(), off, PEER, port.mac(), 1, 2, 3, 4, i, 18));
                }
            }
            assertEquals(100, port.stats().txPackets());
            assertEquals(32, port.stats().rxPackets());
        }
    }

    @Test
    void kernelPingsJavaResponderOverAfPacketOnVeth() throws Exception {
        DpdkEal eal = TestEal.get();
        Needs.commands("a veth pair into a namespace", "ip", "ethtool", "ping");
        String sfx = Shell.uniqueSuffix();
        String vethHere = "ysda" + sfx, vethThere = "ysdb" + sfx, ns = "ysdns" + sfx;
        int x = Shell.freeSubnet();
        DpdkPort port = null;
        AtomicBoolean stop = new AtomicBoolean();
        Thread server = null;
        PingResponder responder = null;
        try {
            Shell.must("ip", "netns", "add", ns);
            Shell.must("ip", "link", "add", vethHere, "type", "veth", "peer", "name", vethThere);
            Shell.must("ip", "link", "set", vethThere, "netns", ns);
            Shell.quietly("sysctl", "-qw", "net.ipv6.conf." + vethHere + ".disable_ipv6=1");
            Shell.must("ip", "link", "set", vethHere, "up");
            Shell.must("ip", "netns", "exec", ns, "ip", "addr", "add", "10.213." + x + ".1/24", "dev", vethThere);
            Shell.must("ip", "netns", "exec", ns, "ip", "link", "set", vethThere, "up");
            Shell.must("ip", "netns", "exec", ns, "ethtool", "-K", vethThere, "tx", "off", "tso", "off", "gso", "off", "gro", "off");
            int id = eal.probe("net_af_packet_" + sfx + ",iface=" + vethHere);
            port = eal.open(id, DpdkPortConfig.defaults(1));
            assertTrue(port.driverName().contains("af_packet"), port.driverName());
            DpdkPort p = port;
            responder = new PingResponder(port.mac(), ip(10, 213, x, 2));
            PingResponder r = responder;
            server = Thread.ofPlatform().name("dpdk-responder").start(() -> r.serve(p, stop::get, Thread::onSpinWait));
            Shell.Result ping = Shell.run(30, "ip", "netns", "exec", ns, "ping", "-c", "20", "-i", "0.05", "-W", "1",
                    "10.213." + x + ".2");
            assertEquals(0, ping.exit(), ping.output());
            assertTrue(ping.output().contains("20 received") && ping.output().contains(" 0% packet loss"), ping.output());
        } finally {
            stop.set(true);
            if (server != null) {
                server.join(5000);
            }
            if (port != null) {
                port.close();
            }
            Shell.quietly("ip", "link", "del", vethHere);
            Shell.quietly("ip", "netns", "del", ns);
        }
        assertFalse(server.isAlive());
        assertTrue(responder.arpReplies >= 1);
        assertEquals(20, responder.echoReplies);
        assertEquals(0, responder.badChecksums);
        PortStats s = port.stats();
        assertTrue(s.rxPackets() >= 21 && s.txPackets() == responder.arpReplies + responder.echoReplies, s.toString());
    }

    @Test
    void multiQueuePortGetsSymmetricRssWhenTheDriverOffersIt() {
        DpdkEal eal = TestEal.get();
        Needs.commands("a TAP device", "ip");
        String sfx = Shell.uniqueSuffix();
        String iface = "ysdt" + sfx;
        int id = eal.probe("net_tap_" + sfx + ",iface=" + iface);
        try (DpdkPort port = eal.open(id, DpdkPortConfig.defaults(2))) {
            // net_tap offers IPv4/TCP/UDP hashing: the port is configured with our symmetric key
            assertTrue(port.rssStatus().startsWith("on: symmetric Toeplitz key (40 bytes)"), port.rssStatus());
            assertTrue(Arrays.equals(Toeplitz.symmetricKey(40), port.rssKey().orElseThrow()));
            assertTrue(port.linkUp(), "net_tap brings its interface up on start");
            assertEquals(2, port.queueCount());
        } finally {
            Shell.quietly("ip", "link", "del", iface);
        }
    }

    @Test
    void burstsAllocateNothingOnTheHeap() {
        DpdkEal eal = TestEal.get();
        int id = eal.probe("net_ring_d" + Shell.uniqueSuffix());
        try (DpdkPort port = eal.open(id, DpdkPortConfig.defaults(1)); TxBatch tx = port.newTxBatch(0)) {
            double perPacket = BurstLoop.bytesPerPacket(tx, PEER, port.mac(), port, 0, 20_000, 2_000);
            assertTrue(perPacket < 1.0, perPacket + " heap bytes per packet");
        }
    }
}
