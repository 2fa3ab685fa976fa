package yastack.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/**
 * ICMP errors as Linux lets them out ({@link IcmpRateLimiter}): per destination a burst of six,
 * then one per interval; over all destinations at most {@code icmpErrorsPerSecond}.
 */
class IcmpRateLimiterTest {
    private static final long S = 1_000_000_000L;

    /** {@code n} UDP datagrams from {@code src} to closed port 9; returns how many unreachables went out. */
    private static long probe(Probe p, int src, int n) {
        long before = p.stack.stats().get("icmp.unreachable_sent");
        byte[] udp = new byte[12];
        ByteBuffer.wrap(udp).putShort(0, (short) 5000).putShort(2, (short) 9).putShort(4, (short) 12);
        for (int i = 0; i < n; i++) {
            p.inject(WireIpTest.ipFrame(Probe.STACK_MAC, src, Probe.STACK, 17, i, 0, udp));
        }
        p.drain();
        return p.stack.stats().get("icmp.unreachable_sent") - before;
    }

    @Test
    void aBurstOfSixPerDestinationThenOneASecond() {
        Probe p = new Probe(null);
        int other = Wire.parseIp("10.0.0.10");
        assertEquals(6, probe(p, Probe.PEER, 10));
        assertEquals(6, probe(p, other, 10), "each destination has its own budget");
        assertEquals(8, p.stack.stats().get("icmp.unreachable_rate_limited"));
        p.advance(S / 2);
        assertEquals(0, probe(p, Probe.PEER, 3));
        p.advance(S / 2);
        assertEquals(1, probe(p, Probe.PEER, 3), "one more once a second has passed");
        p.advance(30 * S);
        assertEquals(6, probe(p, Probe.PEER, 10), "refilled, never past the burst");
    }

    @Test
    void theCapOverAllDestinationsAndTheIntervalAreSettings() {
        Probe capped = new Probe(c -> c.icmpErrorsPerSecond(4));
        assertEquals(4, probe(capped, Probe.PEER, 10));
        assertEquals(0, probe(capped, Wire.parseIp("10.0.0.10"), 10), "the cap is over all destinations");
        Probe unlimited = new Probe(c -> c.icmpRateLimitNanos(0));
        assertEquals(50, probe(unlimited, Probe.PEER, 50));
    }
}
