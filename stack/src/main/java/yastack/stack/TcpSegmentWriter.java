package yastack.stack;

import java.lang.foreign.MemorySegment;

/**
 * Lays TCP segments into frames: header, options, payload from the send ring, checksum. A connection's
 * segment records what it told the peer (the window's right edge, the last ACK, a D-SACK now reported).
 */
final class TcpSegmentWriter {
    static final int L4 = NetStack.L4_OFFSET;

    private TcpSegmentWriter() {}

    /** Options length on a non-SYN segment sent now. */
    static int optionLength(TcpConnection c) {
        int n = c.tsOn ? 12 : 0;
        int blocks = sackBlocks(c);
        if (blocks > 0) {
            n += 4 + 8 * blocks;
        }
        return n;
    }

    /** SACK blocks the next segment carries: a pending D-SACK first, then out-of-order ranges. */
    static int sackBlocks(TcpConnection c) {
        if (!c.sackOn) {
            return 0;
        }
        return Math.min(c.ooo.count + (c.dsackPending ? 1 : 0) + (finBlockAlone(c) ? 1 : 0), c.tsOn ? 3 : 4);
    }

    /**
     * A FIN that arrived out of order is reported like data (as Linux): it extends the block of the range it
     * ends, or is a block of its own.
     */
    private static boolean finBlockAlone(TcpConnection c) {
        if (!c.peerFinPending) {
            return false;
        }
        for (int i = 0; i < c.ooo.count; i++) {
            if (c.ooo.end[i] == c.peerFinSeq) {
                return false;
            }
        }
        return true;
    }

    private static int blockEnd(TcpConnection c, int end) {
        return c.peerFinPending && end == c.peerFinSeq ? end + 1 : end;
    }

    /** Outside a SYN, what it advertises becomes the right edge the window may never shrink below. */
    static int windowField(TcpConnection c, boolean syn) {
        int free = c.recvBuf.free();
        if (syn) {
            return Math.min(free, 65535);
        }
        int edge = c.rcvNxt + free;
        if (Seq.lt(edge, c.rcvAdvEdge)) {
            edge = c.rcvAdvEdge; // never shrink the window (RFC 9293 3.8.6.2.2)
        }
        long w = ((edge - c.rcvNxt) & 0xffffffffL) >>> c.rcvWscale;
        if (w > 65535) {
            w = 65535;
        }
        int adv = c.rcvNxt + (int) (w << c.rcvWscale);
        if (Seq.gt(adv, c.rcvAdvEdge)) {
            c.rcvAdvEdge = adv;
        }
        return (int) w;
    }

    static int tsNow(TcpConnection c, long now) {
        return (int) (now / 1_000_000L) + c.tsOffset;
    }

    /** Lays out a SYN or SYN-ACK; also used statelessly for SYN cookies. wscale -1 = no option. */
    static void writeSynFrame(TcpLayer layer, int localPort, int remoteIp, int remotePort, int seq, int ack, int flags,
                              int window, int mss, int wscale, boolean sack, boolean ts, int tsVal, int tsEcr) {
        int opt = 4 + (ts ? 12 : (sack ? 4 : 0)) + (wscale >= 0 ? 4 : 0);
        int hdr = 20 + opt;
        NetStack st = layer.stack;
        MemorySegment f = st.ipOut.beginIp(remoteIp, NetStack.PROTO_TCP, hdr);
        if (f == null) {
            return;
        }
        long o = L4;
        writeHeader(f, o, localPort, remotePort, seq, ack, hdr, flags, window);
        long p = o + 20;
        Wire.put8(f, p, 2);
        Wire.put8(f, p + 1, 4);
        Wire.put16(f, p + 2, mss);
        p += 4;
        if (ts) {
            if (sack) {
                Wire.put8(f, p, 4);
                Wire.put8(f, p + 1, 2);
            } else {
                Wire.put8(f, p, 1);
                Wire.put8(f, p + 1, 1);
            }
            Wire.put8(f, p + 2, 8);
            Wire.put8(f, p + 3, 10);
            Wire.put32(f, p + 4, tsVal);
            Wire.put32(f, p + 8, tsEcr);
            p += 12;
        } else if (sack) {
            Wire.put16(f, p, 0x0101);
            Wire.put8(f, p + 2, 4);
            Wire.put8(f, p + 3, 2);
            p += 4;
        }
        if (wscale >= 0) {
            Wire.put8(f, p, 1);
            Wire.put8(f, p + 1, 3);
            Wire.put8(f, p + 2, 3);
            Wire.put8(f, p + 3, wscale);
        }
        finish(st, f, remoteIp, hdr);
    }

    /** Writes the fixed header with a zero checksum and returns its sum (as {@link Wire#sum} would read it back). */
    private static long writeHeader(MemorySegment f, long o, int sport, int dport, int seq, int ack, int hdr, int flags, int window) {
        int offsetAndFlags = ((hdr / 4) << 12) | flags;
        Wire.put16(f, o, sport);
        Wire.put16(f, o + 2, dport);
        Wire.put32(f, o + 4, seq);
        Wire.put32(f, o + 8, ack);
        Wire.put16(f, o + 12, offsetAndFlags);
        Wire.put16(f, o + 14, window);
        Wire.put32(f, o + 16, 0);
        return (sport & 0xffff) + (dport & 0xffff) + (seq & 0xffffffffL) + (ack & 0xffffffffL) + (offsetAndFlags & 0xffff)
                + (window & 0xffff);
    }

    /** Puts a 32-bit option word and returns it for the checksum (any 2-byte aligned word sums alike, 2^16 = 1 mod 0xffff). */
    private static long put32(MemorySegment f, long off, int v) {
        Wire.put32(f, off, v);
        return v & 0xffffffffL;
    }

    /** Checksums a segment summing it back from the frame (handshakes and resets, built once) and sends it. */
    private static void finish(NetStack st, MemorySegment f, int remoteIp, int l4Len) {
        send(st, f, l4Len, Wire.sum(f, L4, l4Len, Wire.pseudo(st.address, remoteIp, NetStack.PROTO_TCP, l4Len)));
    }

    /** Puts the checksum of a segment whose sum (pseudo-header included) is {@code acc} and sends it. */
    private static void send(NetStack st, MemorySegment f, int l4Len, long acc) {
        Wire.put16(f, L4 + 16, Wire.fold(acc));
        st.ipOut.endIp(f, L4 + l4Len);
        st.stats.inc(Stat.TCP_TX);
    }

    /**
     * One non-SYN segment of the connection: header, timestamps, SACK blocks, payload from the
     * send buffer. Its checksum is summed from the values written and from the send buffer as
     * the payload is copied, never read back from the frame: a fresh transmit buffer's lines
     * are not in the cache yet, and loads of what was just stored there wait for them (4% of a
     * worker's user time on the flavors link).
     */
    static boolean sendSegment(TcpConnection c, int seq, int len, int flags, long now) {
        int opt = optionLength(c);
        int hdr = 20 + opt;
        NetStack st = c.layer.stack;
        int ecnField = Ecn.field(c, seq, len);
        MemorySegment f = st.ipOut.beginIp(c.remoteIp, NetStack.PROTO_TCP, hdr + len, ecnField);
        if (f == null) {
            return false;
        }
        if (c.ecnOn) {
            flags = Ecn.flags(c, flags, ecnField);
        }
        long o = L4;
        int ackNo = (flags & TcpSegment.ACK) != 0 ? c.rcvNxt : 0;
        long acc = Wire.pseudo(st.address, c.remoteIp, NetStack.PROTO_TCP, hdr + len)
                + writeHeader(f, o, c.localPort, c.remotePort, seq, ackNo, hdr, flags, windowField(c, false));
        long p = o + 20;
        if (c.tsOn) {
            acc += put32(f, p, 0x0101080a) + put32(f, p + 4, tsNow(c, now)) + put32(f, p + 8, c.tsRecent);
            p += 12;
        }
        int n = sackBlocks(c);
        if (n > 0) {
            acc += put32(f, p, 0x01010500 | (2 + 8 * n));
            p += 4;
            int w = 0;
            if (c.dsackPending) {
                acc += put32(f, p, c.dsackStart) + put32(f, p + 4, c.dsackEnd);
                p += 8;
                w++;
                c.dsackPending = false;
            }
            if (w < n && finBlockAlone(c)) {
                acc += put32(f, p, c.peerFinSeq) + put32(f, p + 4, c.peerFinSeq + 1);
                p += 8;
                w++;
            }
            if (w < n && c.ooo.count > 0) {
                // RFC 2018 4: the block holding the most recent segment goes first, then the others
                int first = 0;
                for (int i = 0; i < c.ooo.count; i++) {
                    if (c.ooo.start[i] == c.ooo.lastStart) {
                        first = i;
                    }
                }
                acc += put32(f, p, c.ooo.start[first]) + put32(f, p + 4, blockEnd(c, c.ooo.end[first]));
                p += 8;
                w++;
                for (int i = 0; i < c.ooo.count && w < n; i++) {
                    if (i != first) {
                        acc += put32(f, p, c.ooo.start[i]) + put32(f, p + 4, blockEnd(c, c.ooo.end[i]));
                        p += 8;
                        w++;
                    }
                }
            }
        }
        if (len > 0) {
            acc = c.sendBuf.copyOutSummed(seq - c.sndBufSeq, f, o + hdr, len, acc);
        }
        send(st, f, hdr + len, acc);
        if ((flags & TcpSegment.ACK) != 0) {
            c.lastAckSent = c.rcvNxt;
            c.unackedSegments = 0;
            c.delackDeadline = TcpConnection.NEVER;
        }
        return true;
    }

    /** RST for a segment that matched no connection (RFC 9293 3.10.7.1), built from the segment alone. */
    static void sendRstFor(TcpLayer layer, TcpSegment s) {
        if (s.has(TcpSegment.RST)) {
            return;
        }
        int seq;
        int ack;
        int flags;
        if (s.has(TcpSegment.ACK)) {
            seq = s.ack;
            ack = 0;
            flags = TcpSegment.RST;
        } else {
            seq = 0;
            ack = s.seq + s.seqLen();
            flags = TcpSegment.RST | TcpSegment.ACK;
        }
        sendBare(layer, s.dstPort, s.srcIp, s.srcPort, seq, ack, flags, s.tos);
        layer.stack.stats.inc(Stat.TCP_RST_SENT);
    }

    /**
     * A RST not tied to a connection's output, answering a segment that came with type of service {@code tos}: it
     * carries that back without the ECN field (a RST is never ECN-capable, RFC 3168 6.1.1), as Linux's do.
     */
    static void sendBare(TcpLayer layer, int localPort, int remoteIp, int remotePort, int seq, int ack, int flags, int tos) {
        NetStack st = layer.stack;
        MemorySegment f = st.ipOut.beginIp(remoteIp, NetStack.PROTO_TCP, 20, tos & ~Ecn.MASK);
        if (f == null) {
            return;
        }
        writeHeader(f, L4, localPort, remotePort, seq, ack, 20, flags, 0);
        finish(st, f, remoteIp, 20);
    }
}
