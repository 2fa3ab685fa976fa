package yastack.stack;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/** Bulk transfers across an impaired link: every byte must arrive, in order, exactly once. */
class TcpLossTest {
    static final long S = 1_000_000_000L;

    private static SimLink impaired(long seed, double loss, double reorder, double dup, double corrupt) {
        SimLink l = new SimLink(seed, c -> c.tcpSendBuffer(1 << 20).tcpReceiveBuffer(1 << 20), c -> c.tcpSendBuffer(1 << 20).tcpReceiveBuffer(1 << 20));
        l.capture = false;
        for (SimLink.Impair im : new SimLink.Impair[] {l.aToB, l.bToA}) {
            im.loss = loss;
            im.reorder = reorder;
            im.dup = dup;
            im.corrupt = corrupt;
            im.delay = SimLink.MS;
        }
        return l;
    }

    @Test
    void sixtyFourMebibytesUnderFivePercentLossAndReordering() {
        SimLink l = impaired(42, 0.05, 0.05, 0, 0);
        long size = 64L << 20;
        Endpoint[] p = TcpBasicTest.pair(l, size, 0);
        p[0].shutdownWhenDone = true;
        p[1].closeOnPeerClose = true;
        assertTrue(l.runUntil(() -> p[1].peerClosed && p[0].closed, 3600 * S), () -> "received " + p[1].received + "\n" + l.a.stats());
        assertEquals(size, p[1].received);
        assertEquals(-1, p[1].mismatchAt);
        System.out.println("64MiB virtual seconds: " + (l.now / 1e9) + "\n" + l.a.stats() + "---\n" + l.b.stats());
        StackStats st = l.a.stats();
        assertTrue(st.get("tcp.retransmits") > 0);
        assertTrue(st.get("tcp.fast_retransmits") > 0);
        assertTrue(l.b.stats().get("tcp.ooo_segments_queued") > 0);
    }

    @Test
    void bothDirectionsWithDuplicationAndCorruption() {
        SimLink l = impaired(7, 0.02, 0.1, 0.02, 0.01);
        long size = 4L << 20;
        Endpoint[] p = TcpBasicTest.pair(l, size, size);
        assertTrue(l.runUntil(() -> p[0].received == size && p[1].received == size, 600 * S),
                () -> p[0].received + " / " + p[1].received + "\n" + l.a.stats());
        assertEquals(-1, p[0].mismatchAt);
        assertEquals(-1, p[1].mismatchAt);
        long bad = l.a.stats().get("tcp.drop.bad_checksum") + l.b.stats().get("tcp.drop.bad_checksum")
                + l.a.stats().get("ip.drop.bad_checksum") + l.b.stats().get("ip.drop.bad_checksum");
        assertTrue(bad > 0, "corrupted frames were detected and dropped");
    }

    @Test
    void withoutSackOrTimestampsNewRenoRecovers() {
        SimLink l = new SimLink(9, c -> c.sack(false).timestamps(false), c -> c.sack(false).timestamps(false));
        l.capture = false;
        l.aToB.loss = 0.03;
        l.aToB.reorder = 0.02;
        long size = 4L << 20;
        Endpoint[] p = TcpBasicTest.pair(l, size, 0);
        assertTrue(l.runUntil(() -> p[1].received == size, 900 * S), () -> p[1].received + "\n" + l.a.stats());
        assertEquals(-1, p[1].mismatchAt);
        assertTrue(l.a.stats().get("tcp.fast_retransmits") > 0);
    }

    @Test
    void newRenoCongestionControlIsPluggable() {
        SimLink l = new SimLink(10, c -> c.congestionControl(NewReno::new), null);
        l.capture = false;
        l.aToB.loss = 0.01;
        long size = 2L << 20;
        Endpoint[] p = TcpBasicTest.pair(l, size, 0);
        assertTrue(l.runUntil(() -> p[1].received == size, 600 * S));
        assertEquals("newreno", p[0].conn.congestionControl());
        assertEquals("cubic", p[1].conn.congestionControl());
    }
}
