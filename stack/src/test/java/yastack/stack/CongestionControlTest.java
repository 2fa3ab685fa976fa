package yastack.stack;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/** Window arithmetic of the two controllers (RFC 5681 / RFC 9438). */
class CongestionControlTest {
    static final int MSS = 1000;
    static final long MS = 1_000_000L;

    @Test
    void slowStartThenMultiplicativeDecrease() {
        for (CongestionControl cc : new CongestionControl[] {new Cubic(), new NewReno()}) {
            cc.init(MSS, 0);
            assertEquals(10L * MSS, cc.cwnd(), "RFC 6928 initial window");
            for (int i = 0; i < 90; i++) {
                cc.onAck(MSS, cc.cwnd(), 10 * MS, i * MS);
            }
            assertEquals(100L * MSS, cc.cwnd(), "slow start adds one MSS per MSS acknowledged");
            cc.onCongestion(cc.cwnd(), 100 * MS);
            long expected = cc instanceof Cubic ? 70L * MSS : 50L * MSS;
            assertEquals(expected, cc.cwnd(), cc.name() + " decrease factor");
            assertEquals(expected, cc.ssthresh());
            cc.onRto(cc.cwnd(), 200 * MS);
            assertEquals(MSS, cc.cwnd(), "RTO collapses to one segment");
        }
    }

    @Test
    void cubicReturnsToItsPreviousMaximumAroundK() {
        Cubic cc = new Cubic();
        cc.init(MSS, 0);
        for (int i = 0; i < 90; i++) {
            cc.onAck(MSS, cc.cwnd(), 10 * MS, 0);
        }
        cc.onCongestion(cc.cwnd(), 0); // wMax = 100 segments, cwnd = 70
        double k = Math.cbrt(100 * (1 - 0.7) / 0.4); // ~4.2 s
        long t = 0;
        long rtt = 100 * MS; // long enough that the cubic curve, not the Reno-friendly estimate, drives growth
        // acknowledge a window per RTT until just past K
        while (t < (long) (k * 1e9) + 200 * MS) {
            long w = cc.cwnd();
            for (long acked = 0; acked < w; acked += MSS) {
                cc.onAck(MSS, w, rtt, t);
            }
            t += rtt;
        }
        double segs = (double) cc.cwnd() / MSS;
        assertTrue(segs > 95 && segs < 110, "cwnd near wMax at K: " + segs);
    }

    @Test
    void newRenoCongestionAvoidanceGrowsOneMssPerWindow() {
        NewReno cc = new NewReno();
        cc.init(MSS, 0);
        cc.onCongestion(40L * MSS, 0); // ssthresh = cwnd = 20 segments
        long before = cc.cwnd();
        for (long acked = 0; acked < before; acked += MSS) {
            cc.onAck(MSS, before, 0, 0);
        }
        assertEquals(before + MSS, cc.cwnd());
    }
}
