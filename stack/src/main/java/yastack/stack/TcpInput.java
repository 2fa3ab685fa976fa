package yastack.stack;

/**
 * The receive side: RFC 9293 "segment arrives" for an existing connection, with RFC 5961 and RFC 7323 checks.
 * In SYN_SENT the segment is the reply to our SYN, which {@link TcpHandshake} takes.
 */
final class TcpInput {
    private static final long PAWS_IDLE_NANOS = 24L * 24 * 3600 * 1_000_000_000L;

    private TcpInput() {}

    /**
     * Processes one segment for c. Returns true when the segment should be handed to the listener instead
     * (a new SYN that legitimately reuses a TIME_WAIT tuple).
     */
    static boolean segmentArrives(TcpConnection c, TcpSegment s, long now) {
        StackStats st = c.layer.stack.stats;
        c.lastRxNanos = now;
        if (c.keepAlive && c.state.synchronizedState()) {
            c.keepaliveSent = 0;
            c.keepaliveDeadline = now + c.cfg.keepaliveIdleNanos;
            c.layer.timerHeap.schedule(c);
        }
        if (c.state == TcpState.SYN_SENT) {
            c.layer.handshake.synSent(c, s, now);
            return false;
        }
        boolean passiveSynReceived = c.state == TcpState.SYN_RECEIVED && c.listener != null;
        boolean orphanFinWait2 = c.state == TcpState.FIN_WAIT_2 && c.appClosed;
        if (!s.has(TcpSegment.ACK | TcpSegment.RST | TcpSegment.SYN) && c.state != TcpState.TIME_WAIT
                && !passiveSynReceived && !orphanFinWait2) {
            // RFC 9293 3.10.7.4 fifth check, made first as Linux does: a segment without ACK, RST or SYN (no flags,
            // FIN or data alone) is dropped silently, even outside the window, where it would otherwise get an ACK
            st.inc(Stat.TCP_DROP_BAD_FLAGS);
            return false;
        }
        if (c.tsOn && !s.hasTs && !s.has(TcpSegment.RST | TcpSegment.SYN) && c.state != TcpState.SYN_RECEIVED) {
            st.inc(Stat.TCP_DROP_MISSING_TIMESTAMP); // RFC 7323 3.2: negotiated timestamps must be on every segment
            return false;
        }
        // PAWS (RFC 7323 5.3)
        if (c.tsOn && s.hasTs && !s.has(TcpSegment.RST) && Seq.lt(s.tsVal, c.tsRecent)
                && now - c.tsRecentNanos < PAWS_IDLE_NANOS) {
            st.inc(Stat.TCP_DROP_PAWS);
            TcpOutput.sendAck(c, now);
            return false;
        }
        if (c.state == TcpState.TIME_WAIT) {
            return TcpMiniStates.timeWait(c, s, now);
        }
        if (passiveSynReceived && !TcpMiniStates.synReceived(c, s, now)) {
            return false;
        }
        if (orphanFinWait2) {
            TcpMiniStates.orphanFinWait2(c, s, now);
            return false;
        }
        if (s.has(TcpSegment.RST) && rstOnPeerFin(c, s)) {
            rst(c, s);
            return false;
        }
        if (!acceptable(c, s)) {
            st.inc(Seq.lt(s.seq + s.seqLen(), c.rcvNxt) || (s.seqLen() == 0 && Seq.lt(s.seq, c.rcvNxt))
                    ? Stat.TCP_DUP_SEGMENTS : Stat.TCP_DROP_OUT_OF_WINDOW);
            if (!s.has(TcpSegment.RST)) {
                boolean simultaneousSynAck = c.state == TcpState.SYN_RECEIVED && c.listener == null && s.has(TcpSegment.ACK);
                if (c.sackOn && s.seqLen() > 0 && Seq.le(s.seq + s.seqLen(), c.rcvNxt)
                        && (!s.has(TcpSegment.SYN) || simultaneousSynAck)) {
                    // RFC 2883: an old duplicate, report it; a repeated FIN too, and the SYN-ACK that repeats
                    // the SYN of a simultaneous open (as Linux; other SYNs get a plain challenge ACK)
                    c.dsackPending = true;
                    c.dsackStart = s.seq;
                    c.dsackEnd = s.seq + s.seqLen();
                }
                TcpOutput.sendAck(c, now);
            }
            return false;
        }
        // RFC 7323 4.3: remember the peer's timestamp for segments covering Last.ACK.sent
        if (c.tsOn && s.hasTs && Seq.ge(s.tsVal, c.tsRecent) && Seq.le(s.seq, c.lastAckSent)) {
            c.tsRecent = s.tsVal;
            c.tsRecentNanos = now;
        }
        if (s.has(TcpSegment.RST)) {
            rst(c, s);
            return false;
        }
        if (s.has(TcpSegment.SYN)) {
            challengeAck(c, now); // RFC 5961 4.2
            return false;
        }
        if (!s.has(TcpSegment.ACK)) {
            st.inc(Stat.TCP_DROP_UNEXPECTED);
            return false;
        }
        if (c.state == TcpState.SYN_RECEIVED) {
            if (!(Seq.lt(c.sndUna, s.ack) && Seq.le(s.ack, c.sndMax))) {
                TcpSegmentWriter.sendBare(c.layer, c.localPort, c.remoteIp, c.remotePort, s.ack, 0, TcpSegment.RST, s.tos);
                st.inc(Stat.TCP_RST_SENT);
                return false;
            }
            if (!c.layer.handshake.established(c, s, now)) {
                return false;
            }
        }
        // RFC 5961 5.2 ACK acceptability
        if (Seq.gt(s.ack, c.sndMax) || Seq.lt(s.ack, c.sndUna - (int) Math.min(c.maxSndWnd, Integer.MAX_VALUE / 2))) {
            st.inc(Stat.TCP_DROP_BAD_ACK);
            challengeAck(c, now);
            return false;
        }
        TcpAck.process(c, s, now);
        if (c.finAcked()) {
            switch (c.state) {
                case FIN_WAIT_1 -> {
                    c.layer.setState(c, TcpState.FIN_WAIT_2);
                    if (c.appClosed) {
                        c.waitDeadline = now + c.cfg.finWait2Nanos;
                        c.layer.timerHeap.schedule(c);
                    }
                }
                case CLOSING -> c.layer.enterTimeWait(c, now);
                case LAST_ACK -> {
                    c.layer.closedOrderly(c);
                    return false;
                }
                default -> {
                }
            }
        }
        boolean readable = false;
        boolean peerFin = false;
        if (s.payloadLen > 0) {
            TcpState state = c.state;
            if (state == TcpState.ESTABLISHED || state == TcpState.FIN_WAIT_1 || state == TcpState.FIN_WAIT_2) {
                if (c.appClosed) {
                    // nobody will read this: tell the peer (RFC 9293 3.10.7.4 / RFC 2525 2.17)
                    st.inc(Stat.TCP_DROP_AFTER_CLOSE);
                    c.layer.stack.stats.inc(Stat.TCP_CONN_RESET);
                    TcpSegmentWriter.sendRstFor(c.layer, s); // <SEQ=SEG.ACK><CTL=RST>, as Linux
                    c.layer.destroy(c);
                    return false;
                }
                readable = receiveData(c, s, now);
            } else {
                st.inc(Stat.TCP_DROP_UNEXPECTED);
            }
        }
        if (s.has(TcpSegment.FIN) && !c.finReceived) {
            int fs = s.seq + s.payloadLen;
            if (Seq.ge(fs, c.rcvNxt)) {
                c.peerFinSeq = fs;
                c.peerFinPending = true;
            }
            c.ackNow = true;
        }
        if (c.peerFinPending && c.rcvNxt == c.peerFinSeq && !c.finReceived) {
            peerFin = true;
            finArrives(c, now);
            if (c.state == TcpState.CLOSED) {
                return false;
            }
        }
        TcpOutput.output(c, now);
        notifyApp(c, readable, peerFin);
        if (c.state == TcpState.CLOSED) {
            return false;
        }
        if (c.unackedSegments > 0 || c.ackNow) {
            if (c.ackNow || c.unackedSegments >= 2 || c.cfg.delayedAckNanos == 0) {
                TcpOutput.sendAck(c, now);
            } else if (c.delackDeadline == TcpConnection.NEVER) {
                c.delackDeadline = now + c.cfg.delayedAckNanos;
                c.layer.timerHeap.schedule(c);
            }
        }
        c.ackNow = false;
        return false;
    }

    private static void notifyApp(TcpConnection c, boolean readable, boolean peerFin) {
        if (c.appClosed) {
            return;
        }
        if (readable && c.state != TcpState.CLOSED) {
            c.handler.onReadable(c);
        }
        if (peerFin && c.state != TcpState.CLOSED) {
            c.handler.onPeerClosed(c);
        }
        if (c.writeBlocked && c.state != TcpState.CLOSED && c.sendBuf.free() >= Math.min(c.sendBuf.capacity() / 2, 4 * c.sndMss)) {
            c.writeBlocked = false;
            c.handler.onWritable(c);
        }
    }

    /** RFC 9293 3.10.7.4 first check, with the zero-window allowance for ACK/RST at RCV.NXT. */
    static boolean acceptable(TcpConnection c, TcpSegment s) {
        int wnd = Math.max(c.recvBuf.free(), c.rcvAdvEdge - c.rcvNxt);
        int len = s.seqLen();
        if (s.seq == c.rcvNxt) {
            return true;
        }
        if (len == 0) {
            return wnd > 0 && Seq.inRange(s.seq, c.rcvNxt, c.rcvNxt + wnd);
        }
        if (wnd == 0) {
            return false;
        }
        return Seq.inRange(s.seq, c.rcvNxt, c.rcvNxt + wnd) || Seq.inRange(s.seq + len - 1, c.rcvNxt, c.rcvNxt + wnd);
    }

    /**
     * A RST at RCV.NXT-1 after the peer's FIN: a peer that sends its RST with the sequence number of the FIN it
     * sent (RCV.NXT already moved past it) is taken as exact, as Linux does.
     */
    private static boolean rstOnPeerFin(TcpConnection c, TcpSegment s) {
        return s.seq == c.rcvNxt - 1 && c.finReceived
                && (c.state == TcpState.CLOSE_WAIT || c.state == TcpState.LAST_ACK || c.state == TcpState.CLOSING);
    }

    /** RFC 5961 3.2: only an exact RCV.NXT match resets; other in-window RSTs get a challenge ACK. */
    private static void rst(TcpConnection c, TcpSegment s) {
        StackStats st = c.layer.stack.stats;
        if (s.seq != c.rcvNxt && !rstOnPeerFin(c, s)) {
            st.inc(Stat.TCP_DROP_BAD_RST);
            challengeAck(c, c.layer.now());
            return;
        }
        st.inc(Stat.TCP_RST_RX);
        if (c.state == TcpState.SYN_RECEIVED && c.listener != null) {
            c.layer.destroy(c); // back to LISTEN: the embryo simply goes away
            return;
        }
        st.inc(Stat.TCP_CONN_RESET);
        TcpState was = c.state;
        c.layer.destroy(c);
        if (!c.appClosed) {
            if (was == TcpState.SYN_RECEIVED) {
                c.handler.onError(c, TcpError.REFUSED);
            } else {
                c.handler.onReset(c);
            }
        }
    }

    static void challengeAck(TcpConnection c, long now) {
        if (c.layer.allowChallengeAck(now)) {
            c.layer.stack.stats.inc(Stat.TCP_CHALLENGE_ACKS);
            TcpOutput.sendAck(c, now);
        } else {
            c.layer.stack.stats.inc(Stat.TCP_CHALLENGE_ACKS_LIMITED);
        }
    }

    private static void finArrives(TcpConnection c, long now) {
        c.finReceived = true;
        c.peerFinPending = false;
        c.rcvNxt += 1;
        c.ackNow = true;
        switch (c.state) {
            case SYN_RECEIVED, ESTABLISHED -> c.layer.setState(c, TcpState.CLOSE_WAIT);
            case FIN_WAIT_1 -> {
                if (c.finAcked()) {
                    c.layer.enterTimeWait(c, now);
                } else {
                    c.layer.setState(c, TcpState.CLOSING);
                }
            }
            case FIN_WAIT_2 -> c.layer.enterTimeWait(c, now);
            default -> {
            }
        }
        if (c.state == TcpState.TIME_WAIT || c.state == TcpState.CLOSING) {
            TcpOutput.sendAck(c, now);
            c.ackNow = false;
        }
    }

    /** Places payload in the receive ring (in order or out of order). Returns true when new in-order bytes appeared. */
    private static boolean receiveData(TcpConnection c, TcpSegment s, long now) {
        StackStats st = c.layer.stack.stats;
        int seq = s.seq;
        long pOff = s.payloadOff;
        int len = s.payloadLen;
        int skip = c.rcvNxt - seq;
        if (skip > 0) {
            if (c.sackOn) {
                // RFC 2883: tell the sender which bytes arrived twice
                c.dsackPending = true;
                c.dsackStart = seq;
                c.dsackEnd = seq + Math.min(skip, len);
            }
            if (skip >= len) {
                st.inc(Stat.TCP_DUP_SEGMENTS);
                c.ackNow = true;
                return false;
            }
            seq += skip;
            pOff += skip;
            len -= skip;
        }
        int room = c.recvBuf.free() - (seq - c.rcvNxt);
        if (room <= 0) {
            st.inc(Stat.TCP_DROP_OUT_OF_WINDOW);
            c.ackNow = true;
            return false;
        }
        Ecn.dataArrived(c, s);
        if (len > room) {
            len = room;
            c.ackNow = true;
        }
        if (seq == c.rcvNxt) {
            c.recvBuf.writeAt(c.recvBuf.size(), s.buf, pOff, len);
            int adv = len;
            c.rcvNxt += len;
            if (c.ooo.count > 0) {
                if (Seq.le(c.ooo.start[0], c.rcvNxt)) {
                    int e = c.ooo.end[0];
                    if (Seq.gt(e, c.rcvNxt)) {
                        adv += e - c.rcvNxt;
                        c.rcvNxt = e;
                    }
                }
                c.ooo.removeBelow(c.rcvNxt);
                c.ackNow = true; // a hole was (partly) filled: ACK at once (RFC 5681 4.2)
            }
            c.recvBuf.commit(adv);
            c.unackedSegments++;
            return true;
        }
        if (!c.ooo.add(seq, seq + len)) {
            st.inc(Stat.TCP_DROP_OOO_LIMIT);
            c.ackNow = true;
            return false;
        }
        c.recvBuf.writeAt(c.recvBuf.size() + (long) (seq - c.rcvNxt), s.buf, pOff, len);
        st.inc(Stat.TCP_OOO_QUEUED);
        c.ackNow = true; // duplicate ACK with SACK tells the sender at once
        return false;
    }
}
