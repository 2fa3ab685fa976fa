package yastack.kernel.io.rss;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Software RSS over raw Ethernet frames, with the same hash types DPDK ports are configured
 * with: IPv4 TCP/UDP (non-fragments) hash the 4-tuple, other IPv4 the address pair, and
 * anything else (ARP, IPv6 for now) hashes to 0, i.e. lands on the queue of entry 0.
 */
public final class FrameHasher {
    private static final ValueLayout.OfShort BE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt BE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private final Toeplitz toeplitz;

    public FrameHasher(Toeplitz toeplitz) {
        this.toeplitz = toeplitz;
    }

    public int hash(MemorySegment seg, long offset, int length) {
        if (length < 14) {
            return 0;
        }
        long p = offset + 12;
        int type = seg.get(BE_SHORT, p) & 0xffff;
        p += 2;
        if (type == 0x8100 && length >= 18) { // one VLAN tag
            type = seg.get(BE_SHORT, p + 2) & 0xffff;
            p += 4;
        }
        if (type != 0x0800 || p + 20 > offset + length) {
            return 0;
        }
        int vihl = seg.get(ValueLayout.JAVA_BYTE, p) & 0xff;
        int ihl = (vihl & 0x0f) * 4;
        if ((vihl >>> 4) != 4 || ihl < 20) {
            return 0;
        }
        int src = seg.get(BE_INT, p + 12);
        int dst = seg.get(BE_INT, p + 16);
        int fragment = seg.get(BE_SHORT, p + 6) & 0x3fff; // MF flag or offset
        int proto = seg.get(ValueLayout.JAVA_BYTE, p + 9) & 0xff;
        long l4 = p + ihl;
        if (fragment == 0 && (proto == 6 || proto == 17) && l4 + 4 <= offset + length) {
            int sport = seg.get(BE_SHORT, l4) & 0xffff;
            int dport = seg.get(BE_SHORT, l4 + 2) & 0xffff;
            return toeplitz.hashIpv4(src, dst, sport, dport);
        }
        return toeplitz.hashIpv4(src, dst);
    }
}
