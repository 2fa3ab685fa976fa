package yastack.stack;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** Big-endian field access on frames and the Internet checksum; all static so the hot path allocates nothing. */
final class Wire {
    static final ValueLayout.OfShort BE16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    static final ValueLayout.OfInt BE32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    static final ValueLayout.OfLong BE64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private Wire() {}

    static int u8(MemorySegment s, long off) {
        return s.get(ValueLayout.JAVA_BYTE, off) & 0xff;
    }

    static int u16(MemorySegment s, long off) {
        return s.get(BE16, off) & 0xffff;
    }

    static int i32(MemorySegment s, long off) {
        return s.get(BE32, off);
    }

    static void put8(MemorySegment s, long off, int v) {
        s.set(ValueLayout.JAVA_BYTE, off, (byte) v);
    }

    static void put16(MemorySegment s, long off, int v) {
        s.set(BE16, off, (short) v);
    }

    static void put32(MemorySegment s, long off, int v) {
        s.set(BE32, off, v);
    }

    static long mac(MemorySegment s, long off) {
        return ((long) u16(s, off) << 32) | (i32(s, off + 2) & 0xffffffffL);
    }

    static void putMac(MemorySegment s, long off, long mac) {
        put16(s, off, (int) (mac >>> 32));
        put32(s, off + 2, (int) mac);
    }

    /** Adds the bytes as big-endian 16-bit words into a running one's-complement accumulator. */
    static long sum(MemorySegment s, long off, long len, long acc) {
        long i = 0;
        // 32-bit words summed into a long fold to the same 16-bit one's-complement sum (2^16 == 1 mod 0xffff);
        // reading 8 bytes at a time halves the loads. Two accumulators keep the adds independent.
        long acc2 = 0;
        for (; i + 16 <= len; i += 16) {
            long v = s.get(BE64, off + i);
            long w = s.get(BE64, off + i + 8);
            acc += (v >>> 32) + (v & 0xffffffffL);
            acc2 += (w >>> 32) + (w & 0xffffffffL);
        }
        acc += acc2;
        for (; i + 4 <= len; i += 4) {
            acc += s.get(BE32, off + i) & 0xffffffffL;
        }
        if (i + 2 <= len) {
            acc += u16(s, off + i);
            i += 2;
        }
        if (i < len) {
            acc += (long) u8(s, off + i) << 8;
        }
        return acc;
    }

    /** Folds the accumulator and returns the complemented 16-bit checksum. */
    /** A partial sum with its bytes swapped: the same words' sum counted from an odd offset. */
    static long swapped(long acc) {
        int v = 0xffff & ~fold(acc);
        return ((v & 0xff) << 8) | (v >>> 8);
    }

    static int fold(long acc) {
        while ((acc >>> 16) != 0) {
            acc = (acc & 0xffff) + (acc >>> 16);
        }
        return (int) (~acc) & 0xffff;
    }

    /**
     * The checksum of a 20-byte IPv4 header (no options) summed from its fields' values, for a
     * header just written: summing it back from a fresh transmit buffer loads 8-byte words over
     * the narrower stores still in flight, which waits for them (4.5% of a worker's user time
     * in the flavors profile).
     */
    static int ipv4HeaderChecksum(int tos, int totalLength, int id, int flagsAndOffset, int ttl, int proto, int src, int dst) {
        long acc = 0x4500L + (tos & 0xff) + totalLength + (id & 0xffff) + flagsAndOffset + ((ttl & 0xff) << 8 | proto & 0xff)
                + (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff);
        return fold(acc);
    }

    static int checksum(MemorySegment s, long off, long len) {
        return fold(sum(s, off, len, 0));
    }

    /** Pseudo-header sum for TCP/UDP over IPv4. */
    static long pseudo(int src, int dst, int proto, int len) {
        return (src & 0xffffffffL) + (dst & 0xffffffffL) + proto + len;
    }

    static String ip(int a) {
        return (a >>> 24) + "." + ((a >>> 16) & 0xff) + "." + ((a >>> 8) & 0xff) + "." + (a & 0xff);
    }

    static int parseIp(String s) {
        String[] p = s.trim().split("\\.");
        if (p.length != 4) {
            throw new IllegalArgumentException("not an IPv4 address: " + s);
        }
        int v = 0;
        for (String q : p) {
            int b = Integer.parseInt(q);
            if (b < 0 || b > 255) {
                throw new IllegalArgumentException("not an IPv4 address: " + s);
            }
            v = (v << 8) | b;
        }
        return v;
    }

    static String mac(long m) {
        StringBuilder sb = new StringBuilder(17);
        for (int i = 5; i >= 0; i--) {
            int b = (int) (m >>> (i * 8)) & 0xff;
            if (sb.length() > 0) {
                sb.append(':');
            }
            sb.append(Character.forDigit(b >> 4, 16)).append(Character.forDigit(b & 15, 16));
        }
        return sb.toString();
    }

    static long parseMac(String s) {
        String[] p = s.trim().split("[:-]");
        if (p.length != 6) {
            throw new IllegalArgumentException("not a MAC address: " + s);
        }
        long v = 0;
        for (String q : p) {
            v = (v << 8) | Integer.parseInt(q, 16);
        }
        return v;
    }
}
