package yastack.kernel.io.support;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import yastack.kernel.io.MacAddress;

/** Builds and reads the raw frames tests exchange. */
public final class Frames {
    public static final ValueLayout.OfShort BE16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    public static final ValueLayout.OfInt BE32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private Frames() {
    }

    public static int ip(int a, int b, int c, int d) {
        return (a << 24) | (b << 16) | (c << 8) | d;
    }

    /**
     * Writes an Ethernet/IPv4/UDP frame with {@code payload} bytes of payload, each byte
     * {@code (seq + i)}, and the sequence number in the first 4 payload bytes; returns its length.
     */
    public static int udp(MemorySegment s, long off, MacAddress dst, MacAddress src,
                          int srcIp, int dstIp, int sport, int dport, int seq, int payload) {
        dst.write(s, off);
        src.write(s, off + 6);
        s.set(BE16, off + 12, (short) 0x0800);
        long ip = off + 14;
        int ipLen = 20 + 8 + payload;
        s.set(ValueLayout.JAVA_BYTE, ip, (byte) 0x45);
        s.set(ValueLayout.JAVA_BYTE, ip + 1, (byte) 0);
        s.set(BE16, ip + 2, (short) ipLen);
        s.set(BE32, ip + 4, 0);
        s.set(ValueLayout.JAVA_BYTE, ip + 8, (byte) 64);
        s.set(ValueLayout.JAVA_BYTE, ip + 9, (byte) 17);
        s.set(BE16, ip + 10, (short) 0);
        s.set(BE32, ip + 12, srcIp);
        s.set(BE32, ip + 16, dstIp);
        s.set(BE16, ip + 10, (short) Checksums.internet(s, ip, 20));
        long udp = ip + 20;
        s.set(BE16, udp, (short) sport);
        s.set(BE16, udp + 2, (short) dport);
        s.set(BE16, udp + 4, (short) (8 + payload));
        s.set(BE16, udp + 6, (short) 0);
        for (int i = 0; i < payload; i++) {
            s.set(ValueLayout.JAVA_BYTE, udp + 8 + i, (byte) (seq + i));
        }
        if (payload >= 4) {
            s.set(BE32, udp + 8, seq);
        }
        return 14 + ipLen;
    }

    /** The sequence number {@link #udp} stored in a frame. */
    public static int udpSeq(MemorySegment s, long off) {
        return s.get(BE32, off + 14 + 20 + 8);
    }

    public static int udpSrcPort(MemorySegment s, long off) {
        return s.get(BE16, off + 14 + 20) & 0xffff;
    }
}
