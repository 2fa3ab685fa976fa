package yastack.stack;

import java.lang.foreign.MemorySegment;

/** ICMP (RFC 792, RFC 1122 3.2.2): echo and timestamp replies, rate-limited unreachables, frag-needed for PMTU (RFC 1191). */
public final class Icmp {
    /** Told about echo replies to {@link NetStack#ping}. */
    @FunctionalInterface
    public interface EchoReplyListener {
        void onEchoReply(int from, int id, int seq, int payloadLength);
    }

    private final NetStack stack;
    EchoReplyListener echoListener;
    private long windowStart;
    private int sentInWindow;

    Icmp(NetStack stack) {
        this.stack = stack;
    }

    /**
     * RFC 792 timestamp reply (optional in RFC 1122 3.2.2.8; Linux answers): the originate timestamp copied,
     * receive and transmit timestamps in milliseconds since midnight UT. Never to a broadcast, like echo.
     */
    private void timestampReply(MemorySegment b, long off, int len, int src, boolean bcast) {
        StackStats st = stack.stats;
        if (bcast) {
            st.inc(Stat.ICMP_DROP_BROADCAST_ECHO);
            return;
        }
        if (len < 12) {
            st.inc(Stat.ICMP_DROP_TRUNCATED);
            return;
        }
        MemorySegment f = stack.ipOut.beginIp(src, NetStack.PROTO_ICMP, 20);
        if (f == null) {
            return;
        }
        long o = NetStack.L4_OFFSET;
        int msOfDay = (int) Math.floorMod(stack.cfg.wallClockMillis.getAsLong(), 86_400_000L);
        Wire.put8(f, o, 14);
        Wire.put8(f, o + 1, 0);
        Wire.put16(f, o + 2, 0);
        Wire.put32(f, o + 4, Wire.i32(b, off + 4)); // identifier and sequence number
        Wire.put32(f, o + 8, Wire.i32(b, off + 8)); // originate
        Wire.put32(f, o + 12, msOfDay);
        Wire.put32(f, o + 16, msOfDay);
        Wire.put16(f, o + 2, Wire.checksum(f, o, 20));
        stack.ipOut.endIp(f, NetStack.L4_OFFSET + 20);
        st.inc(Stat.ICMP_TX);
    }

    /**
     * RFC 1122 3.2.2.6: the Record Route option of an echo request goes back in the reply, with our address
     * recorded for the way in and for the way out while there is room (as Linux). Other options are not echoed.
     * Returns the option padded to a multiple of 4 bytes, or null when the request has none.
     */
    private static byte[] recordRoute(MemorySegment b, long ipOff, long end, int self) {
        long p = ipOff + 20;
        while (p < end) {
            int kind = Wire.u8(b, p);
            if (kind == 0) {
                break;
            }
            if (kind == 1) {
                p++;
                continue;
            }
            int l = p + 1 < end ? Wire.u8(b, p + 1) : 0;
            if (l < 2 || p + l > end) {
                break;
            }
            if (kind == 7 && l >= 3) {
                byte[] o = new byte[(l + 3) & ~3];
                MemorySegment.copy(b, p, MemorySegment.ofArray(o), 0, l);
                for (int pass = 0; pass < 2; pass++) {
                    int ptr = o[2] & 0xff; // 1-based offset of the next free slot
                    if (ptr >= 4 && ptr + 3 <= l) {
                        o[ptr - 1] = (byte) (self >>> 24);
                        o[ptr] = (byte) (self >>> 16);
                        o[ptr + 1] = (byte) (self >>> 8);
                        o[ptr + 2] = (byte) self;
                        o[2] = (byte) (ptr + 4);
                    }
                }
                return o;
            }
            p += l;
        }
        return null;
    }

    void input(MemorySegment b, long ipOff, long off, int len, int src, boolean bcast) {
        StackStats st = stack.stats;
        st.inc(Stat.ICMP_RX);
        if (len < 8) {
            st.inc(Stat.ICMP_DROP_TRUNCATED);
            return;
        }
        if (Wire.checksum(b, off, len) != 0) {
            st.inc(Stat.ICMP_DROP_BAD_CHECKSUM);
            return;
        }
        int type = Wire.u8(b, off);
        int code = Wire.u8(b, off + 1);
        switch (type) {
            case 8 -> {
                if (bcast) {
                    st.inc(Stat.ICMP_DROP_BROADCAST_ECHO);
                    return;
                }
                byte[] opts = off - ipOff > 20 ? recordRoute(b, ipOff, off, stack.address) : null;
                int optLen = opts == null || 20 + opts.length + len > stack.cfg.mtu ? 0 : opts.length;
                MemorySegment f = stack.ipOut.beginIp(src, NetStack.PROTO_ICMP, optLen + len);
                if (f == null) {
                    return;
                }
                if (optLen > 0) {
                    // the header grows by the options; the total length beginIp wrote already counts them
                    MemorySegment.copy(MemorySegment.ofArray(opts), 0, f, NetStack.L4_OFFSET, optLen);
                    Wire.put8(f, 14, 0x40 | (5 + optLen / 4));
                    Wire.put16(f, 24, 0);
                    Wire.put16(f, 24, Wire.checksum(f, 14, 20 + optLen));
                }
                long o = NetStack.L4_OFFSET + optLen;
                MemorySegment.copy(b, off, f, o, len);
                Wire.put8(f, o, 0);
                Wire.put8(f, o + 1, 0);
                Wire.put16(f, o + 2, 0);
                Wire.put16(f, o + 2, Wire.checksum(f, o, len));
                stack.ipOut.endIp(f, (int) o + len);
                st.inc(Stat.ICMP_TX);
                st.inc(Stat.ICMP_ECHO_REPLIES);
            }
            case 13 -> timestampReply(b, off, len, src, bcast);
            case 0 -> {
                if (echoListener != null) {
                    echoListener.onEchoReply(src, Wire.u16(b, off + 4), Wire.u16(b, off + 6), len - 8);
                }
            }
            case 3 -> {
                st.inc(Stat.ICMP_UNREACH_RX);
                if (len < 8 + 20 + 8) {
                    return;
                }
                long inner = off + 8;
                int ihl = (Wire.u8(b, inner) & 15) * 4;
                if (ihl < 20 || len < 8 + ihl + 8 || Wire.u8(b, inner + 9) != NetStack.PROTO_TCP
                        || Wire.i32(b, inner + 12) != stack.address) {
                    return;
                }
                long t = inner + ihl;
                int remote = Wire.i32(b, inner + 16);
                int lport = Wire.u16(b, t);
                int rport = Wire.u16(b, t + 2);
                int seq = Wire.i32(b, t + 4);
                if (code == 4) {
                    st.inc(Stat.ICMP_FRAG_NEEDED_RX);
                    int mtu = Wire.u16(b, off + 6);
                    if (mtu < 68 || mtu >= stack.cfg.mtu) {
                        st.inc(Stat.ICMP_FRAG_NEEDED_IGNORED);
                        return;
                    }
                    TcpNetworkErrors.fragNeeded(stack.tcp, remote, rport, lport, seq, mtu);
                } else if (code == 2 || code == 3) {
                    // protocol/port unreachable are hard errors for a connection still opening (RFC 1122 4.2.3.9)
                    TcpNetworkErrors.hardError(stack.tcp, remote, rport, lport, seq);
                }
            }
            default -> {
            }
        }
    }

    private boolean allow() {
        long now = stack.now;
        if (now - windowStart >= 1_000_000_000L) {
            windowStart = now;
            sentInWindow = 0;
        }
        if (sentInWindow >= stack.cfg.icmpErrorsPerSecond) {
            stack.stats.inc(Stat.ICMP_UNREACH_RATE_LIMITED);
            return false;
        }
        sentInWindow++;
        return true;
    }

    /** Destination unreachable (code 2 protocol, 3 port) quoting the offending datagram (RFC 1812 4.3.2.3 style, up to 576 bytes). */
    void sendUnreachable(MemorySegment b, long ipOff, int total, int dst, int code) {
        int fragOff = Wire.u16(b, ipOff + 6) & 0x1fff;
        if (fragOff != 0 || !allow()) {
            return;
        }
        int quote = Math.min(total, 576 - 28);
        MemorySegment f = stack.ipOut.beginIp(dst, NetStack.PROTO_ICMP, 8 + quote);
        if (f == null) {
            return;
        }
        long o = NetStack.L4_OFFSET;
        Wire.put8(f, o, 3);
        Wire.put8(f, o + 1, code);
        Wire.put16(f, o + 2, 0);
        Wire.put32(f, o + 4, 0);
        MemorySegment.copy(b, ipOff, f, o + 8, quote);
        Wire.put16(f, o + 2, Wire.checksum(f, o, 8 + quote));
        stack.ipOut.endIp(f, NetStack.L4_OFFSET + 8 + quote);
        stack.stats.inc(Stat.ICMP_TX);
        stack.stats.inc(Stat.ICMP_UNREACH_SENT);
    }

    void sendEcho(int dst, int id, int seq, int payloadLength) {
        int len = 8 + payloadLength;
        MemorySegment f = stack.ipOut.beginIp(dst, NetStack.PROTO_ICMP, len);
        if (f == null) {
            return;
        }
        long o = NetStack.L4_OFFSET;
        Wire.put8(f, o, 8);
        Wire.put8(f, o + 1, 0);
        Wire.put16(f, o + 2, 0);
        Wire.put16(f, o + 4, id);
        Wire.put16(f, o + 6, seq);
        for (int i = 0; i < payloadLength; i++) {
            Wire.put8(f, o + 8 + i, i);
        }
        Wire.put16(f, o + 2, Wire.checksum(f, o, len));
        stack.ipOut.endIp(f, NetStack.L4_OFFSET + len);
        stack.stats.inc(Stat.ICMP_TX);
    }
}
