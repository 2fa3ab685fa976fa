package yastack.stack;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Mutated frames (random bytes, truncation, extension, header fields, with checksums repaired so the deeper
 * layers are reached) must never throw, and the stacks must keep working afterwards.
 */
class MutatedTrafficTest {
    static final long S = 1_000_000_000L;

    /** Recomputes IPv4 header and TCP/UDP/ICMP checksums of a frame in place, as far as its lengths allow. */
    static void fixChecksums(byte[] f) {
        if (f.length < 34 || (f[12] & 0xff) != 0x08 || f[13] != 0) {
            return;
        }
        ByteBuffer b = ByteBuffer.wrap(f);
        int ihl = (f[14] & 15) * 4;
        if (ihl < 20 || 14 + ihl > f.length) {
            return;
        }
        b.putShort(24, (short) 0);
        b.putShort(24, (short) Pkt.csum(f, 14, ihl, 0));
        int total = b.getShort(16) & 0xffff;
        int l4 = 14 + ihl;
        int len = Math.min(total - ihl, f.length - l4);
        if (len < 8 || (b.getShort(20) & 0x3fff) != 0) {
            return;
        }
        int proto = f[23] & 0xff;
        int src = b.getInt(26);
        int dst = b.getInt(30);
        long pseudo = ((src >>> 16) & 0xffff) + (src & 0xffff) + ((dst >>> 16) & 0xffff) + (dst & 0xffff) + proto + len;
        if (proto == 6 && len >= 20) {
            b.putShort(l4 + 16, (short) 0);
            b.putShort(l4 + 16, (short) Pkt.csum(f, l4, len, pseudo));
        } else if (proto == 17) {
            b.putShort(l4 + 6, (short) 0);
        } else if (proto == 1) {
            b.putShort(l4 + 2, (short) 0);
            b.putShort(l4 + 2, (short) Pkt.csum(f, l4, len, 0));
        }
    }

    @Test
    void mutatedTrafficNeverThrowsAndConnectionsSurvive() {
        SimLink l = new SimLink(77);
        Endpoint[] p = TcpBasicTest.pair(l, 300_000, 300_000);
        UdpSocket u = l.b.openUdp(53, null);
        l.a.openUdp(54, null).send(SimLink.IP_B, 53, ByteBuffer.wrap(new byte[100]));
        l.a.ping(SimLink.IP_B, 1, 1, 3000);
        assertTrue(l.runUntil(() -> p[0].received == 300_000 && p[1].received == 300_000, 30 * S));
        List<byte[]> corpus = new ArrayList<>(l.sentByA);
        corpus.addAll(l.sentByB);
        SplittableRandom r = new SplittableRandom(5);
        for (int i = 0; i < 150_000; i++) {
            byte[] f = corpus.get(r.nextInt(corpus.size())).clone();
            int kind = r.nextInt(6);
            switch (kind) {
                case 0 -> f = java.util.Arrays.copyOf(f, r.nextInt(f.length + 1));
                case 1 -> f = java.util.Arrays.copyOf(f, f.length + r.nextInt(100));
                default -> {
                    int n = 1 + r.nextInt(4);
                    for (int k = 0; k < n; k++) {
                        // bias mutations toward the headers
                        int pos = r.nextInt(Math.min(f.length, r.nextBoolean() ? 80 : f.length));
                        f[pos] = (byte) r.nextInt(256);
                    }
                }
            }
            if (r.nextInt(3) != 0) {
                fixChecksums(f);
            }
            NetStack to = r.nextBoolean() ? l.a : l.b;
            to.input(MemorySegment.ofArray(f), f.length);
            if ((i & 1023) == 0) {
                l.now += S / 10;
                l.a.poll(l.now);
                l.b.poll(l.now);
            }
        }
        // the shards still work: a fresh connection transfers data byte-exact
        assertNotNull(u);
        Endpoint client = new Endpoint(11);
        client.toSend = 100_000;
        Endpoint server = new Endpoint(0x55 ^ 11);
        l.b.listen(8080, 16, c -> server);
        l.a.connect(SimLink.IP_B, 8080, 50000, client);
        assertTrue(l.runUntil(() -> server.received == 100_000, 60 * S), () -> l.a.stats() + "\n---\n" + l.b.stats());
        assertEquals(-1, server.mismatchAt);
    }
}
