package yastack.kernel.io.tap;

import yastack.kernel.fixtures.Needs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import yastack.kernel.io.PortStats;
import yastack.kernel.fixtures.Frames;
import yastack.kernel.fixtures.PingResponder;
import yastack.kernel.fixtures.Shell;

/** Proves TAP rx and tx against the host kernel: the kernel pings a responder written in Java. */
class TapPortTest {

    @BeforeAll
    static void requirements() {
        Needs.tap("a TAP port", "ip", "ping");
    }

    private static void pingThrough(int queues) throws Exception {
        String name = "ystap" + Shell.uniqueSuffix();
        int x = Shell.freeSubnet();
        TapPort port = TapPort.open(TapConfig.of(name).withQueues(queues).withMtu(1400));
        AtomicBoolean stop = new AtomicBoolean();
        PingResponder responder = new PingResponder(port.mac(), Frames.ip(10, 213, x, 2));
        Thread server = Thread.ofPlatform().name("tap-responder").start(
                () -> responder.serve(port, stop::get, () -> port.awaitReadable(0, 5)));
        try {
            assertEquals(name, port.name());
            assertEquals(1400, port.mtu());
            assertEquals(queues, port.queueCount());
            for (int q = 0; q < queues; q++) {
                assertTrue(port.selectableFd(q) >= 0);
            }
            assertTrue(Shell.must("ip", "link", "show", name).contains("mtu 1400"));
            assertTrue(port.linkUp(), "link should be up after open");
            Shell.must("ip", "addr", "add", "10.213." + x + ".1/24", "dev", name);
            Shell.Result ping = Shell.run(20, "ping", "-c", "3", "-W", "1", "-i", "0.2", "-I", name, "10.213." + x + ".2");
            assertEquals(0, ping.exit(), ping.output());
            assertTrue(ping.output().contains(" 0% packet loss"), ping.output());
        } finally {
            stop.set(true);
            server.join(5000);
            port.close();
            Shell.quietly("ip", "link", "del", name);
        }
        assertFalse(server.isAlive());
        assertTrue(responder.arpReplies >= 1, "no ARP reply sent");
        assertEquals(3, responder.echoReplies);
        assertEquals(0, responder.badChecksums);
        PortStats s = port.stats();
        assertTrue(s.rxPackets() >= 4, s.toString());
        assertTrue(s.txPackets() >= 4, s.toString());
        assertEquals(responder.arpReplies + responder.echoReplies, s.txPackets());
        assertEquals(0, s.txErrors() + s.rxErrors() + s.txRingFull(), s.toString());
        assertFalse(Shell.run(5, "ip", "link", "show", name).exit() == 0, "device should be gone after close");
    }

    @Test
    void kernelPingsJavaResponderOverTap() throws Exception {
        pingThrough(1);
    }

    @Test
    void multiQueueTapCarriesPing() throws Exception {
        pingThrough(2);
    }
}
