package yastack.kernel.io.rss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ToeplitzTest {

    private static int ip(int a, int b, int c, int d) {
        return (a << 24) | (b << 16) | (c << 8) | d;
    }

    /** Microsoft "Verifying the RSS hash calculation" IPv4 table: src, dst, sport, dport, 2-tuple, 4-tuple. */
    private static final long[][] MS_VECTORS = {
        {ip(66, 9, 149, 187), ip(161, 142, 100, 80), 2794, 1766, 0x323e8fc2L, 0x51ccc178L},
        {ip(199, 92, 111, 2), ip(65, 69, 140, 83), 14230, 4739, 0xd718262aL, 0xc626b0eaL},
        {ip(24, 19, 198, 95), ip(12, 22, 207, 184), 12898, 38024, 0xd2d0a5deL, 0x5c2b394aL},
        {ip(38, 27, 205, 30), ip(209, 142, 163, 6), 48228, 2217, 0x82989176L, 0xafc7327fL},
        {ip(153, 39, 163, 191), ip(202, 188, 127, 2), 44251, 1303, 0x5d1809c5L, 0x10e828a2L},
    };

    @Test
    void microsoftVerificationSuite() {
        Toeplitz t = new Toeplitz(Toeplitz.microsoftKey());
        for (long[] v : MS_VECTORS) {
            int src = (int) v[0], dst = (int) v[1], sp = (int) v[2], dp = (int) v[3];
            assertEquals((int) v[4], t.hashIpv4(src, dst), "2-tuple " + Long.toHexString(v[4]));
            assertEquals((int) v[5], t.hashIpv4(src, dst, sp, dp), "4-tuple " + Long.toHexString(v[5]));
            // the byte-array and memory-segment paths agree with the int path
            byte[] in = ByteBuffer.allocate(12).putInt(src).putInt(dst).putShort((short) sp).putShort((short) dp).array();
            assertEquals((int) v[5], t.hash(in, 0, 12));
            assertEquals((int) v[4], t.hash(in, 0, 8));
            try (Arena a = Arena.ofConfined()) {
                MemorySegment s = a.allocate(16);
                MemorySegment.copy(in, 0, s, ValueLayout.JAVA_BYTE, 2, 12);
                assertEquals((int) v[5], t.hash(s, 2, 12));
            }
        }
    }

    @Test
    void symmetricKeyGivesSameHashBothWays() {
        Toeplitz t = Toeplitz.symmetric();
        Random r = new Random(42);
        int distinct = 0;
        int prev = 0;
        for (int i = 0; i < 10_000; i++) {
            int a = r.nextInt(), b = r.nextInt(), pa = r.nextInt(65536), pb = r.nextInt(65536);
            int h = t.hashIpv4(a, b, pa, pb);
            assertEquals(h, t.hashIpv4(b, a, pb, pa));
            assertEquals(t.hashIpv4(a, b), t.hashIpv4(b, a));
            if (h != prev) {
                distinct++;
            }
            prev = h;
        }
        assertTrue(distinct > 9_000, "hash should vary across flows, varied " + distinct + " times");
        // the Microsoft key is not symmetric: the same check fails for it
        Toeplitz ms = new Toeplitz(Toeplitz.microsoftKey());
        assertNotEquals(ms.hashIpv4(ip(1, 2, 3, 4), ip(5, 6, 7, 8), 1000, 80),
                ms.hashIpv4(ip(5, 6, 7, 8), ip(1, 2, 3, 4), 80, 1000));
    }

    @Test
    void symmetricKeySpreadsFlowsEvenlyOverQueues() {
        Toeplitz t = Toeplitz.symmetric();
        RedirectionTable reta = RedirectionTable.roundRobin(4);
        int[] perQueue = new int[4];
        Random r = new Random(7);
        for (int i = 0; i < 40_000; i++) {
            perQueue[reta.queueOf(t.hashIpv4(r.nextInt(), r.nextInt(), r.nextInt(65536), r.nextInt(65536)))]++;
        }
        for (int n : perQueue) {
            assertTrue(n > 9_000 && n < 11_000, "uneven spread " + Arrays.toString(perQueue));
        }
    }

    @Test
    void portSelectorKeepsFlowsLocal() {
        for (int queues : new int[] {2, 4}) {
            Toeplitz t = Toeplitz.symmetric();
            RedirectionTable reta = RedirectionTable.roundRobin(queues);
            RssPortSelector sel = new RssPortSelector(t, reta);
            Random r = new Random(1000 + queues);
            for (int i = 0; i < 1000; i++) {
                int local = r.nextInt(), remote = r.nextInt(), rport = 1 + r.nextInt(65535);
                int worker = r.nextInt(queues);
                int p = sel.select(local, remote, rport, 32768, 60999, worker, 32768 + r.nextInt(28232), null);
                assertTrue(p >= 32768 && p <= 60999, "port " + p);
                // replies (remote -> local) and requests (local -> remote) both land on the worker
                assertEquals(worker, reta.queueOf(t.hashIpv4(remote, local, rport, p)));
                assertEquals(worker, reta.queueOf(t.hashIpv4(local, remote, p, rport)));
                assertEquals(worker, sel.queueOfInbound(local, p, remote, rport));
            }
        }
    }

    @Test
    void portSelectorHonoursInUseAndRange() {
        RssPortSelector sel = new RssPortSelector(Toeplitz.symmetric(), RedirectionTable.roundRobin(2));
        int local = ip(10, 0, 0, 1), remote = ip(10, 0, 0, 2);
        int first = sel.select(local, remote, 80, 40000, 40100, 1, 40000, null);
        int second = sel.select(local, remote, 80, 40000, 40100, 1, 40000, p -> p == first);
        assertTrue(first != second, "a port in use is skipped: " + first);
        for (int p : new int[] {first, second}) {
            assertTrue(p >= 40000 && p <= 40100, "in the range: " + p);
            assertEquals(1, sel.queueOfInbound(local, p, remote, 80), "its return flow lands on the asked queue: " + p);
        }
        // a range of one port that maps elsewhere has no answer
        int q = sel.queueOfInbound(local, 5000, remote, 80);
        assertEquals(-1, sel.select(local, remote, 80, 5000, 5000, 1 - q, 5000, null));
        assertEquals(5000, sel.select(local, remote, 80, 5000, 5000, q, 5000, null));
    }
}
