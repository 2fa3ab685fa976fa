package yastack.stack;

/**
 * The send side: what to send now (windows, Nagle, SACK recovery, retransmission) and the RTO and persist
 * timers that follow; {@link TcpSegmentWriter} lays each segment into a frame.
 */
final class TcpOutput {
    private TcpOutput() {}

    static boolean dataState(TcpState s) {
        return s == TcpState.ESTABLISHED || s == TcpState.CLOSE_WAIT || s == TcpState.FIN_WAIT_1
                || s == TcpState.CLOSING || s == TcpState.LAST_ACK;
    }

    static int maxPayload(TcpConnection c) {
        return Math.max(1, c.sndMss - TcpSegmentWriter.optionLength(c));
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
                    TcpSegmentWriter.sendSegment(c, c.sndNxt, 0, TcpSegment.FIN | TcpSegment.ACK, now);
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
            if (!TcpSegmentWriter.sendSegment(c, c.sndNxt, len, flags, now)) {
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
            if (!TcpSegmentWriter.sendSegment(c, s, dataLen, flags, now)) {
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
        TcpSegmentWriter.sendSegment(c, c.sndUna, len, flags, now);
        c.rtxHighMark = c.sndMax;
        c.rtxMarkValid = true;
        if (Seq.gt(c.sndUna + len, c.rtxNext)) {
            c.rtxNext = c.sndUna + len;
        }
    }

    static void sendAck(TcpConnection c, long now) {
        TcpSegmentWriter.sendSegment(c, c.sndNxt, 0, TcpSegment.ACK, now);
    }

    static void sendRst(TcpConnection c, int seq) {
        TcpSegmentWriter.sendSegment(c, seq, 0, TcpSegment.RST | TcpSegment.ACK, c.layer.now());
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

    /** SYN (active open) or SYN-ACK (passive open) with our options. */
    static void sendSyn(TcpConnection c, long now) {
        boolean synAck = c.state == TcpState.SYN_RECEIVED;
        boolean ts = synAck ? c.tsOn : c.cfg.timestamps;
        boolean sack = synAck ? c.sackOn : c.cfg.sack;
        boolean ws = synAck ? c.wsOn : c.cfg.windowScaling;
        // a SYN-ACK agreeing to ECN carries ECE alone (RFC 3168 6.1.1); ours never asks, so never ECE with CWR
        int flags = TcpSegment.SYN | (synAck ? TcpSegment.ACK : 0) | (synAck && c.ecnOn ? TcpSegment.ECE : 0);
        int tsVal = TcpSegmentWriter.tsNow(c, now);
        int window = TcpSegmentWriter.windowField(c, true);
        if (synAck && Seq.lt(c.rcvAdvEdge, c.rcvNxt + window)) {
            c.rcvAdvEdge = c.rcvNxt + window;
        }
        if (synAck) {
            c.lastAckSent = c.rcvNxt; // RFC 7323 4.3 compares SEG.SEQ against it
        }
        TcpSegmentWriter.writeSynFrame(c.layer, c.localPort, c.remoteIp, c.remotePort, c.iss, synAck ? c.rcvNxt : 0,
                flags, window, c.advMss, ws ? c.rcvWscale : -1, sack, ts, tsVal, c.tsRecent);
        if (c.rtoDeadline == TcpConnection.NEVER) {
            armRto(c, now);
        }
        if (Seq.le(c.sndMax, c.iss)) {
            c.sndMax = c.iss + 1;
        }
        c.sndNxt = c.iss + 1;
    }
}
