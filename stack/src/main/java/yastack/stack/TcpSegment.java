package yastack.stack;

import java.lang.foreign.MemorySegment;

/** Flyweight view of one received TCP segment; a single instance per shard is re-pointed at each packet. */
final class TcpSegment {
    static final int FIN = 1, SYN = 2, RST = 4, PSH = 8, ACK = 16, URG = 32, ECE = 64, CWR = 128;

    MemorySegment buf;
    long off;
    int srcIp, dstIp, srcPort, dstPort, seq, ack, flags, window, hdrLen;
    /** The four reserved header bits (RFC 9293 3.1), AccECN's AE the lowest. */
    int reserved;
    long payloadOff;
    int payloadLen;
    int mss, wscale, tsVal, tsEcr, sackCount;
    boolean sackOk, hasTs;
    /** Options whose lengths Linux drops the segment for, when a socket would take it (see {@link #parse}). */
    boolean badOptionLength;
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

    /**
     * Points the view at a TCP header whose length and checksum were already validated, and reads
     * its options as Linux does: a length below 2 or past the header ends the walk (what came
     * before it stands), a known option of the wrong size is skipped, and MSS, window scale and
     * SACK-permitted count only on a SYN. {@link #badOptionLength} tells of the lengths that make
     * Linux drop the segment before any state sees it ({@code tcp_parse_auth_options}).
     */
    void parse(MemorySegment b, long o, int len, int src, int dst) {
        buf = b;
        off = o;
        srcIp = src;
        dstIp = dst;
        srcPort = Wire.u16(b, o);
        dstPort = Wire.u16(b, o + 2);
        seq = Wire.i32(b, o + 4);
        ack = Wire.i32(b, o + 8);
        int offsetByte = Wire.u8(b, o + 12);
        hdrLen = (offsetByte >>> 4) * 4;
        reserved = offsetByte & 0x0F;
        flags = Wire.u8(b, o + 13);
        window = Wire.u16(b, o + 14);
        payloadOff = o + hdrLen;
        payloadLen = len - hdrLen;
        mss = -1;
        wscale = -1;
        sackOk = false;
        hasTs = false;
        sackCount = 0;
        long end = o + hdrLen;
        badOptionLength = badLength(b, o + 20, end);
        boolean syn = (flags & SYN) != 0;
        for (long p = o + 20; p < end; ) {
            int kind = Wire.u8(b, p);
            if (kind == 0) {
                break;
            }
            if (kind == 1) {
                p++;
                continue;
            }
            int olen = end - p >= 2 ? Wire.u8(b, p + 1) : 0;
            if (olen < 2 || olen > end - p) {
                break;
            }
            switch (kind) {
                case 2 -> {
                    int m = olen == 4 && syn ? Wire.u16(b, p + 2) : 0;
                    if (m > 0) {
                        mss = m;
                    }
                }
                case 3 -> {
                    if (olen == 3 && syn) {
                        wscale = Math.min(14, Wire.u8(b, p + 2)); // RFC 7323 2.3: treat > 14 as 14
                    }
                }
                case 4 -> sackOk |= olen == 2 && syn;
                case 5 -> {
                    if (olen > 2 && (olen - 2) % 8 == 0) {
                        int n = Math.min(4, (olen - 2) / 8);
                        for (int i = 0; i < n; i++) {
                            sackStart[i] = Wire.i32(b, p + 2 + 8L * i);
                            sackEnd[i] = Wire.i32(b, p + 6 + 8L * i);
                        }
                        sackCount = n;
                    }
                }
                case 8 -> {
                    if (olen == 10) {
                        hasTs = true;
                        tsVal = Wire.i32(b, p + 2);
                        tsEcr = Wire.i32(b, p + 6);
                    }
                }
                default -> {
                    // unknown options are skipped (RFC 9293 3.1)
                }
            }
            p += olen;
        }
    }

    /**
     * Whether an option whose length is below 2 or runs past the header starts while 18 or more
     * bytes of options are left: Linux's walk for MD5 signatures ({@code tcp_parse_md5sig_option},
     * which looks no further than an 18-byte MD5 option could start) drops the segment for such a
     * length. Kernels built with TCP-AO look until 5 bytes are left; the kernel this stack is
     * checked against (LinuxDifferentialTest) is built without it.
     */
    private static boolean badLength(MemorySegment b, long p, long end) {
        while (end - p >= 18) {
            int kind = Wire.u8(b, p);
            if (kind == 0) {
                return false;
            }
            if (kind == 1) {
                p++;
                continue;
            }
            int olen = Wire.u8(b, p + 1);
            if (olen < 2 || olen > end - p) {
                return true;
            }
            p += olen;
        }
        return false;
    }
}
