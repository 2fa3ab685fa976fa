package yastack.stack;

import java.lang.foreign.MemorySegment;

/** Flyweight view of one received TCP segment; a single instance per shard is re-pointed at each packet. */
final class TcpSegment {
    static final int FIN = 1, SYN = 2, RST = 4, PSH = 8, ACK = 16, URG = 32;

    MemorySegment buf;
    long off;
    int srcIp, dstIp, srcPort, dstPort, seq, ack, flags, window, hdrLen;
    long payloadOff;
    int payloadLen;
    int mss, wscale, tsVal, tsEcr, sackCount;
    boolean sackOk, hasTs;
    /** The type of service of the datagram it came in, which a RST sent in answer carries back (as Linux's). */
    int tos;
    final int[] sackStart = new int[4];
    final int[] sackEnd = new int[4];

    boolean has(int f) {
        return (flags & f) != 0;
    }

    /** Sequence space the segment occupies (SYN and FIN count one each). */
    int seqLen() {
        return payloadLen + ((flags & SYN) != 0 ? 1 : 0) + ((flags & FIN) != 0 ? 1 : 0);
    }

    /** Points the view at a TCP header whose length/checksum were already validated; false when options are malformed. */
    boolean parse(MemorySegment b, long o, int len, int src, int dst) {
        buf = b;
        off = o;
        srcIp = src;
        dstIp = dst;
        srcPort = Wire.u16(b, o);
        dstPort = Wire.u16(b, o + 2);
        seq = Wire.i32(b, o + 4);
        ack = Wire.i32(b, o + 8);
        hdrLen = (Wire.u8(b, o + 12) >>> 4) * 4;
        flags = Wire.u8(b, o + 13);
        window = Wire.u16(b, o + 14);
        payloadOff = o + hdrLen;
        payloadLen = len - hdrLen;
        mss = -1;
        wscale = -1;
        sackOk = false;
        hasTs = false;
        sackCount = 0;
        long p = o + 20;
        long end = o + hdrLen;
        while (p < end) {
            int kind = Wire.u8(b, p);
            if (kind == 0) {
                break;
            }
            if (kind == 1) {
                p++;
                continue;
            }
            if (p + 1 >= end) {
                return false;
            }
            int olen = Wire.u8(b, p + 1);
            if (olen < 2 || p + olen > end) {
                return false;
            }
            switch (kind) {
                case 2 -> {
                    if (olen != 4) {
                        return false;
                    }
                    mss = Wire.u16(b, p + 2);
                }
                case 3 -> {
                    if (olen != 3) {
                        return false;
                    }
                    wscale = Math.min(14, Wire.u8(b, p + 2)); // RFC 7323 2.3: treat > 14 as 14
                }
                case 4 -> {
                    if (olen != 2) {
                        return false;
                    }
                    sackOk = true;
                }
                case 5 -> {
                    if ((olen - 2) % 8 != 0 || olen == 2) {
                        return false;
                    }
                    int n = Math.min(4, (olen - 2) / 8);
                    for (int i = 0; i < n; i++) {
                        sackStart[i] = Wire.i32(b, p + 2 + 8L * i);
                        sackEnd[i] = Wire.i32(b, p + 6 + 8L * i);
                    }
                    sackCount = n;
                }
                case 8 -> {
                    if (olen != 10) {
                        return false;
                    }
                    hasTs = true;
                    tsVal = Wire.i32(b, p + 2);
                    tsEcr = Wire.i32(b, p + 6);
                }
                default -> {
                    // unknown options are skipped (RFC 9293 3.1)
                }
            }
            p += olen;
        }
        return true;
    }
}
