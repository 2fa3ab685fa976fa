package yastack.stack;

import java.lang.foreign.MemorySegment;

/** The send side: what to send now (windows, Nagle, recovery) and how a segment is laid into a frame. */
final class TcpOutput {
    static final int L4 = NetStack.L4_OFFSET;

    private TcpOutput() {}

    static boolean dataState(TcpState s) {
        return s == TcpState.ESTABLISHED || s == TcpState.CLOSE_WAIT || s == TcpState.FIN_WAIT_1
                || s == TcpState.CLOSING || s == TcpState.LAST_ACK;
    }

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
        return Math.min(c.ooo.count + (c.dsackPending ? 1 : 0), c.tsOn ? 3 : 4);
    }

    static int maxPayload(TcpConnection c) {
        return Math.max(1, c.sndMss - optionLength(c));
    }

    /** Bytes the network holds for us now (RFC 6675 "pipe" during recovery). */
    static long pipe(TcpConnection c) {
        if (c.inRecovery) {
            long outstanding = c.sndMax - c.sndUna;
            if (c.sackOn && c.sacked.count > 0) {
                int highSack = c.sacked.highestEnd(c.sndUna);
                long lost = 0;
                if (Seq.lt(c.rtxNext, highSack)) {
                    lost = (highSack - Seq.max(c.rtxNext, c.sndUna)) - c.sacked.bytesAbove(Seq.max(c.rtxNext, c.sndUna));
                }
                return Math.max(0, outstanding - c.sacked.totalBytes() - lost);
            }
            return Math.max(0, outstanding - (long) c.dupAcks * c.sndMss);
        }
        long flight = c.sndNxt - c.sndUna;
        if (c.sackOn && c.sacked.count > 0) {
            flight -= c.sacked.totalBytes() - c.sacked.bytesAbove(c.sndNxt);
        }
        return Math.max(0, flight);
    }

    /** Sends whatever the receive window, congestion window and Nagle allow. */
    static void output(TcpConnection c, long now) {
        if (!dataState(c.state)) {
            return;
        }
        if (c.inRecovery && c.sackOn) {
            recoverySend(c, now);
        }
        int maxSeg = maxPayload(c);
        for (int guard = 0; guard < 100_000; guard++) {
            if (c.sackOn && c.sacked.count > 0 && Seq.lt(c.sndNxt, c.sndMax)) {
                int s = c.sndNxt;
                int t;
                while ((t = c.sacked.skip(s)) != s) {
                    s = t;
                }
                c.sndNxt = Seq.min(s, c.sndMax);
            }
            int dataEnd = c.dataEnd();
            int avail = dataEnd - c.sndNxt;
            if (avail < 0) {
                break; // FIN already sent
            }
            long flight = pipe(c);
            long cwndLeft = c.cc.cwnd() - flight;
            long rwndLeft = (c.sndUna + (int) Math.min(c.sndWnd, Integer.MAX_VALUE)) - c.sndNxt;
            if (c.sndWnd > Integer.MAX_VALUE) {
                rwndLeft = Integer.MAX_VALUE;
            }
            int len = (int) Math.max(0, Math.min(Math.min(avail, maxSeg), Math.min(cwndLeft, rwndLeft)));
            boolean fin = c.finQueued && len == avail;
            if (len == 0) {
                if (fin && avail == 0) {
                    sendSegment(c, c.sndNxt, 0, TcpSegment.FIN | TcpSegment.ACK, now);
                    advance(c, 1, now);
                }
                break;
            }
            if (len < maxSeg && !fin) {
                boolean all = len == avail;
                boolean idle = c.sndNxt == c.sndUna;
                if (!((all && (c.noDelay || idle)) || len >= c.maxSndWnd / 2)) {
                    break; // Nagle / sender silly-window avoidance (RFC 9293 3.8.6.2.1)
                }
            }
            int flags = TcpSegment.ACK | (fin ? TcpSegment.FIN : 0) | (len == avail ? TcpSegment.PSH : 0);
            boolean rexmit = Seq.lt(c.sndNxt, c.sndMax);
            if (rexmit) {
                c.layer.stack.stats.inc(Stat.TCP_RETRANSMITS);
            } else if (!c.rttTiming && !c.tsOn) {
                c.rttTiming = true;
                c.rttSeq = c.sndNxt;
                c.rttStart = now;
            }
            if (!sendSegment(c, c.sndNxt, len, flags, now)) {
                break;
            }
            advance(c, len + (fin ? 1 : 0), now);
        }
        armPersistIfNeeded(c, now);
    }

    private static void advance(TcpConnection c, int n, long now) {
        c.sndNxt += n;
        if (Seq.gt(c.sndNxt, c.sndMax)) {
            c.sndMax = c.sndNxt;
        }
        if (c.rtoDeadline == TcpConnection.NEVER) {
            armRto(c, now);
        }
    }

    static void armRto(TcpConnection c, long now) {
        long t = Math.min(c.cfg.maxRtoNanos, c.rto << Math.min(c.rtoBackoff, 20));
        c.rtoDeadline = now + t;
        c.persistDeadline = TcpConnection.NEVER;
        c.layer.timerHeap.schedule(c);
    }

    private static void armPersistIfNeeded(TcpConnection c, long now) {
        if (c.sndNxt == c.sndUna && c.dataEnd() != c.sndNxt && c.rtoDeadline == TcpConnection.NEVER
                && c.persistDeadline == TcpConnection.NEVER) {
            long t = Math.min(c.cfg.maxRtoNanos, Math.max(c.rto, c.cfg.minRtoNanos) << Math.min(c.persistBackoff, 20));
            c.persistDeadline = now + t;
            c.layer.timerHeap.schedule(c);
        }
    }

    /** Retransmits SACK holes while the pipe has room (RFC 6675 NextSeg, rules 1 and 3 simplified). */
    static void recoverySend(TcpConnection c, long now) {
        int maxSeg = maxPayload(c);
        int highSack = c.sacked.highestEnd(c.sndUna);
        for (int guard = 0; guard < 10_000 && pipe(c) < c.cc.cwnd(); guard++) {
            int s = Seq.max(c.rtxNext, c.sndUna);
            int t;
            while ((t = c.sacked.skip(s)) != s) {
                s = t;
            }
            if (!Seq.lt(s, highSack) || !Seq.lt(s, c.sndMax)) {
                return;
            }
            int holeEnd = c.sacked.nextStartAfter(s, highSack);
            int len = Math.min(holeEnd - s, maxSeg);
            int dataEnd = c.dataEnd();
            int dataLen = Math.min(len, dataEnd - s);
            int flags = TcpSegment.ACK;
            if (dataLen < len || (c.finQueued && s + dataLen == dataEnd && Seq.gt(c.sndMax, dataEnd))) {
                flags |= TcpSegment.FIN;
            }
            if (dataLen < 0) {
                return;
            }
            if (!sendSegment(c, s, dataLen, flags, now)) {
                return;
            }
            c.rtxNext = s + Math.max(1, len);
            if (s == c.sndUna) {
                c.rtxHighMark = c.sndMax;
                c.rtxMarkValid = true;
            }
            c.layer.stack.stats.inc(Stat.TCP_RETRANSMITS);
            c.layer.stack.stats.inc(Stat.TCP_SACK_RETRANSMITS);
        }
    }

    /** Retransmits the first unacknowledged segment (fast retransmit, NewReno partial ACK, RTO). */
    static void retransmitFirst(TcpConnection c, long now) {
        if (c.state == TcpState.SYN_SENT || c.state == TcpState.SYN_RECEIVED) {
            sendSyn(c, now);
            return;
        }
        int dataEnd = c.dataEnd();
        int len = Math.min(maxPayload(c), Math.max(0, dataEnd - c.sndUna));
        len = Math.min(len, c.sndMax - c.sndUna);
        int flags = TcpSegment.ACK;
        if (c.finQueued && c.sndUna + len == dataEnd && Seq.gt(c.sndMax, dataEnd)) {
            flags |= TcpSegment.FIN;
        }
        if (len == 0 && (flags & TcpSegment.FIN) == 0) {
            return;
        }
        c.layer.stack.stats.inc(Stat.TCP_RETRANSMITS);
        c.rttTiming = false; // Karn
        sendSegment(c, c.sndUna, len, flags, now);
        c.rtxHighMark = c.sndMax;
        c.rtxMarkValid = true;
        if (Seq.gt(c.sndUna + len, c.rtxNext)) {
            c.rtxNext = c.sndUna + len;
        }
    }

    static void sendAck(TcpConnection c, long now) {
        sendSegment(c, c.sndNxt, 0, TcpSegment.ACK, now);
    }

    static void sendRst(TcpConnection c, int seq) {
        sendSegment(c, seq, 0, TcpSegment.RST | TcpSegment.ACK, c.layer.now());
        c.layer.stack.stats.inc(Stat.TCP_RST_SENT);
    }

    /** After the application read: tell the peer about a window that opened by a useful amount (receiver SWS avoidance). */
    static void maybeWindowUpdate(TcpConnection c) {
        int edge = c.rcvNxt + c.recvBuf.free();
        int grown = edge - c.rcvAdvEdge;
        int threshold = Math.min(c.recvBuf.capacity() / 2, 2 * c.sndMss);
        int remaining = c.rcvAdvEdge - c.rcvNxt;
        // only worth a segment of its own when the peer's view of the window is nearly closed
        if (grown >= threshold && grown > 0 && remaining < Math.max(2 * c.sndMss, c.recvBuf.capacity() / 8)) {
            sendAck(c, c.layer.now());
            c.layer.stack.flushIfIdle();
        }
    }

    private static int windowField(TcpConnection c, boolean syn) {
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

    /** SYN (active open) or SYN-ACK (passive open) with our options. */
    static void sendSyn(TcpConnection c, long now) {
        boolean synAck = c.state == TcpState.SYN_RECEIVED;
        boolean ts = synAck ? c.tsOn : c.cfg.timestamps;
        boolean sack = synAck ? c.sackOn : c.cfg.sack;
        boolean ws = synAck ? c.wsOn : c.cfg.windowScaling;
        int flags = TcpSegment.SYN | (synAck ? TcpSegment.ACK : 0);
        int tsVal = tsNow(c, now);
        int window = windowField(c, true);
        if (synAck && Seq.lt(c.rcvAdvEdge, c.rcvNxt + window)) {
            c.rcvAdvEdge = c.rcvNxt + window;
        }
        if (synAck) {
            c.lastAckSent = c.rcvNxt; // RFC 7323 4.3 compares SEG.SEQ against it
        }
        writeSynFrame(c.layer, c.localPort, c.remoteIp, c.remotePort, c.iss, synAck ? c.rcvNxt : 0, flags,
                window, c.advMss, ws ? c.rcvWscale : -1, sack, ts, tsVal, c.tsRecent);
        if (c.rtoDeadline == TcpConnection.NEVER) {
            armRto(c, now);
        }
        if (Seq.le(c.sndMax, c.iss)) {
            c.sndMax = c.iss + 1;
        }
        c.sndNxt = c.iss + 1;
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

    private static void writeHeader(MemorySegment f, long o, int sport, int dport, int seq, int ack, int hdr, int flags, int window) {
        Wire.put16(f, o, sport);
        Wire.put16(f, o + 2, dport);
        Wire.put32(f, o + 4, seq);
        Wire.put32(f, o + 8, ack);
        Wire.put16(f, o + 12, ((hdr / 4) << 12) | flags);
        Wire.put16(f, o + 14, window);
        Wire.put32(f, o + 16, 0);
    }

    private static void finish(NetStack st, MemorySegment f, int remoteIp, int l4Len) {
        long acc = Wire.pseudo(st.address, remoteIp, NetStack.PROTO_TCP, l4Len);
        Wire.put16(f, L4 + 16, Wire.fold(Wire.sum(f, L4, l4Len, acc)));
        st.ipOut.endIp(f, L4 + l4Len);
        st.stats.inc(Stat.TCP_TX);
    }

    /** One non-SYN segment of the connection: header, timestamps, SACK blocks, payload from the send buffer. */
    static boolean sendSegment(TcpConnection c, int seq, int len, int flags, long now) {
        int opt = optionLength(c);
        int hdr = 20 + opt;
        NetStack st = c.layer.stack;
        MemorySegment f = st.ipOut.beginIp(c.remoteIp, NetStack.PROTO_TCP, hdr + len);
        if (f == null) {
            return false;
        }
        long o = L4;
        int ackNo = (flags & TcpSegment.ACK) != 0 ? c.rcvNxt : 0;
        writeHeader(f, o, c.localPort, c.remotePort, seq, ackNo, hdr, flags, windowField(c, false));
        long p = o + 20;
        if (c.tsOn) {
            Wire.put32(f, p, 0x0101080a);
            Wire.put32(f, p + 4, tsNow(c, now));
            Wire.put32(f, p + 8, c.tsRecent);
            p += 12;
        }
        int n = sackBlocks(c);
        if (n > 0) {
            Wire.put16(f, p, 0x0101);
            Wire.put8(f, p + 2, 5);
            Wire.put8(f, p + 3, 2 + 8 * n);
            p += 4;
            int w = 0;
            if (c.dsackPending) {
                Wire.put32(f, p, c.dsackStart);
                Wire.put32(f, p + 4, c.dsackEnd);
                p += 8;
                w++;
                c.dsackPending = false;
            }
            if (w < n && c.ooo.count > 0) {
                // RFC 2018 4: the block holding the most recent segment goes first, then the others
                int first = 0;
                for (int i = 0; i < c.ooo.count; i++) {
                    if (c.ooo.start[i] == c.ooo.lastStart) {
                        first = i;
                    }
                }
                Wire.put32(f, p, c.ooo.start[first]);
                Wire.put32(f, p + 4, c.ooo.end[first]);
                p += 8;
                w++;
                for (int i = 0; i < c.ooo.count && w < n; i++) {
                    if (i != first) {
                        Wire.put32(f, p, c.ooo.start[i]);
                        Wire.put32(f, p + 4, c.ooo.end[i]);
                        p += 8;
                        w++;
                    }
                }
            }
        }
        if (len > 0) {
            c.sendBuf.copyOut(seq - c.sndBufSeq, f, o + hdr, len);
        }
        finish(st, f, c.remoteIp, hdr + len);
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
        sendBare(layer, s.dstPort, s.srcIp, s.srcPort, seq, ack, flags);
        layer.stack.stats.inc(Stat.TCP_RST_SENT);
    }

    /** An option-less segment not tied to a connection (RSTs, TIME_WAIT ACKs). */
    static void sendBare(TcpLayer layer, int localPort, int remoteIp, int remotePort, int seq, int ack, int flags) {
        NetStack st = layer.stack;
        MemorySegment f = st.ipOut.beginIp(remoteIp, NetStack.PROTO_TCP, 20);
        if (f == null) {
            return;
        }
        writeHeader(f, L4, localPort, remotePort, seq, ack, 20, flags, 0);
        finish(st, f, remoteIp, 20);
    }
}
