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
    private final IcmpRateLimiter limiter;

    Icmp(NetStack stack) {
        this.stack = stack;
        this.limiter = new IcmpRateLimiter(stack.cfg, stack.stats);
    }

    /**
     * RFC 792 timestamp reply (optional in RFC 1122 3.2.2.8; Linux answers): the originate timestamp copied,
     * receive and transmit timestamps in milliseconds since midnight UT. Never to a broadcast, like echo.
     */
    private void timestampReply(MemorySegment b, long off, int len, int src, boolean bcast, int tos) {
        StackStats st = stack.stats;
        if (bcast) {
            st.inc(Stat.ICMP_DROP_BROADCAST_ECHO);
            return;
        }
        if (len < 12) {
            st.inc(Stat.ICMP_DROP_TRUNCATED);
            return;
        }
        MemorySegment f = stack.ipOut.beginIp(src, NetStack.PROTO_ICMP, 20, tos);
        if (f == null) {
            return;
        }
        long o = NetStack.L4_OFFSET;
        int msOfDay = msOfDay();
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
                // RFC 1122 3.2.2.6: Record Route and Timestamp come back, with our entries (as Linux).
                byte[] opts = replyOptions(b, ipOff, (int) (off - ipOff));
                int optLen = opts == null || 20 + opts.length + len > stack.cfg.mtu ? 0 : opts.length;
                // the request's type of service, as Linux answers
                MemorySegment f = stack.ipOut.beginIp(src, NetStack.PROTO_ICMP, optLen + len, Wire.u8(b, ipOff + 1));
                if (f == null) {
                    return;
                }
                long o = putOptions(f, opts, optLen);
                MemorySegment.copy(b, off, f, o, len);
                Wire.put8(f, o, 0); // the request's code stays, as in Linux's replies
                Wire.put16(f, o + 2, 0);
                Wire.put16(f, o + 2, Wire.checksum(f, o, len));
                stack.ipOut.endIp(f, (int) o + len);
                st.inc(Stat.ICMP_TX);
                st.inc(Stat.ICMP_ECHO_REPLIES);
            }
            case 13 -> timestampReply(b, off, len, src, bcast, Wire.u8(b, ipOff + 1));
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

    /** The options a reply to the datagram at {@code ipOff} carries (see {@link Ipv4Options#forReply}), or null. */
    private byte[] replyOptions(MemorySegment b, long ipOff, int limit) {
        return limit > 20 ? Ipv4Options.forReply(b, ipOff, limit, stack.address, msOfDay()) : null;
    }

    /** Writes {@code optLen} bytes of {@code opts} as the options of the frame beginIp started; returns where ICMP begins. */
    private static long putOptions(MemorySegment f, byte[] opts, int optLen) {
        if (optLen > 0) {
            // the header grows by the options; the total length beginIp wrote already counts them
            MemorySegment.copy(MemorySegment.ofArray(opts), 0, f, NetStack.L4_OFFSET, optLen);
            Wire.put8(f, 14, 0x40 | (5 + optLen / 4));
            Wire.put16(f, 24, 0);
            Wire.put16(f, 24, Wire.checksum(f, 14, 20 + optLen));
        }
        return NetStack.L4_OFFSET + optLen;
    }

    /** Milliseconds since midnight UT, the time ICMP timestamps and the IP Timestamp option carry (RFC 791, 792). */
    private int msOfDay() {
        return (int) Math.floorMod(stack.cfg.wallClockMillis.getAsLong(), 86_400_000L);
    }

    /** Destination unreachable (code 2 protocol, 3 port) quoting the offending datagram (RFC 1812 4.3.2.3 style, up to 576 bytes). */
    void sendUnreachable(MemorySegment b, long ipOff, int total, int dst, int code) {
        if (sendError(b, ipOff, total, dst, 3, code, 0, (Wire.u8(b, ipOff) & 15) * 4)) {
            stack.stats.inc(Stat.ICMP_UNREACH_SENT);
        }
    }

    /** Time exceeded (code 1: fragment reassembly) quoting the datagram's first fragment at {@code ipOff}. */
    void sendTimeExceeded(MemorySegment b, long ipOff, int total, int dst, int code) {
        if (sendError(b, ipOff, total, dst, 11, code, 0, (Wire.u8(b, ipOff) & 15) * 4)) {
            stack.stats.inc(Stat.ICMP_TIME_EXCEEDED_SENT);
        }
    }

    /**
     * Parameter problem (RFC 792, RFC 1122 3.2.2.5) pointing at byte {@code pointer} of the
     * datagram's header; never about an ICMP error message (RFC 1122 3.2.2), so two hosts that
     * disagree cannot bounce errors between them.
     */
    void sendParameterProblem(MemorySegment b, long ipOff, int total, int dst, int pointer) {
        int ihl = (Wire.u8(b, ipOff) & 15) * 4;
        if (Wire.u8(b, ipOff + 9) == NetStack.PROTO_ICMP && total >= ihl + 1) {
            int type = Wire.u8(b, ipOff + ihl);
            if (type > 18 || type == 3 || type == 4 || type == 5 || type == 11 || type == 12) {
                return; // an error (or a type we cannot tell is not one), as Linux's icmp_send decides
            }
        }
        if (sendError(b, ipOff, total, dst, 12, 0, pointer << 24, pointer)) {
            stack.stats.inc(Stat.ICMP_PARAMETER_PROBLEMS_SENT);
        }
    }

    /**
     * An ICMP error quoting the datagram (up to 576 bytes in all), rate limited and never about
     * a later fragment. Like Linux, it carries back the Record Route and Timestamp options the
     * datagram had before {@code optionsLimit} (the offset of a bad option, or the header's end).
     */
    private boolean sendError(MemorySegment b, long ipOff, int total, int dst, int type, int code, int rest, int optionsLimit) {
        int fragOff = Wire.u16(b, ipOff + 6) & 0x1fff;
        if (fragOff != 0 || !limiter.allow(dst, stack.now)) {
            return false;
        }
        byte[] opts = replyOptions(b, ipOff, optionsLimit);
        int optLen = opts == null ? 0 : opts.length;
        int quote = Math.min(total, 576 - 28 - optLen);
        // Precedence 6, internetwork control (RFC 1812 4.3.2.5), and the datagram's TOS bits, as Linux sends errors.
        int tos = 0xc0 | Wire.u8(b, ipOff + 1) & 0x1e;
        MemorySegment f = stack.ipOut.beginIp(dst, NetStack.PROTO_ICMP, optLen + 8 + quote, tos);
        if (f == null) {
            return false;
        }
        long o = putOptions(f, opts, optLen);
        Wire.put8(f, o, type);
        Wire.put8(f, o + 1, code);
        Wire.put16(f, o + 2, 0);
        Wire.put32(f, o + 4, rest);
        MemorySegment.copy(b, ipOff, f, o + 8, quote);
        Wire.put16(f, o + 2, Wire.checksum(f, o, 8 + quote));
        stack.ipOut.endIp(f, (int) o + 8 + quote);
        stack.stats.inc(Stat.ICMP_TX);
        return true;
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
