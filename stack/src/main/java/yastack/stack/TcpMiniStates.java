package yastack.stack;

/**
 * The states Linux keeps in small stand-ins for a socket, whose checks differ from the full state machine and which
 * we answer the way Linux does (the RFCs allow it): SYN_RECEIVED of a passive open (Linux's request socket),
 * FIN_WAIT_2 after the application closed (its FIN_WAIT_2 time-wait socket) and TIME_WAIT. Each method runs after
 * the timestamp and PAWS checks of {@link TcpInput}.
 */
final class TcpMiniStates {
    private static final int SYN = TcpSegment.SYN, ACK = TcpSegment.ACK, RST = TcpSegment.RST, FIN = TcpSegment.FIN;

    private TcpMiniStates() {}

    /**
     * SYN_RECEIVED of a passive open. Returns true when the segment carries the ACK of our SYN and the connection
     * goes on to ESTABLISHED through the common path; otherwise it was answered or dropped here.
     */
    static boolean synReceived(TcpConnection c, TcpSegment s, long now) {
        StackStats st = c.layer.stack.stats;
        if (s.seq == c.irs && (s.flags & (SYN | ACK | RST)) == SYN) {
            // The peer retransmits its SYN: our SYN-ACK was lost. Answer with the SYN-ACK now rather than at
            // our own retransmission timeout; a bare ACK would be dropped by a peer in SYN_SENT.
            TcpOutput.sendSyn(c, now);
            return false;
        }
        if (s.has(ACK) && s.ack != c.iss + 1) {
            st.inc(Stat.TCP_DROP_BAD_ACK); // not for this embryo: the listener's answer, RST <SEQ=SEG.ACK>
            TcpSegmentWriter.sendRstFor(c.layer, s);
            return false;
        }
        if (!TcpInput.acceptable(c, s)) {
            st.inc(Stat.TCP_DROP_OUT_OF_WINDOW);
            if (!s.has(RST)) {
                TcpOutput.sendAck(c, now);
            }
            return false;
        }
        if (s.has(RST)) {
            if (s.seq != c.rcvNxt) {
                st.inc(Stat.TCP_DROP_BAD_RST); // RFC 5961 3.2: in the window but not exact
                TcpInput.challengeAck(c, now);
                return false;
            }
            st.inc(Stat.TCP_RST_RX);
            c.layer.destroy(c); // back to LISTEN: the embryo simply goes away
            return false;
        }
        if (s.has(SYN) && s.seq != c.irs) {
            // a SYN at another sequence number in the window ends the embryo with a RST (RFC 9293 3.10.7.4
            // without the optional RFC 5961 challenge, as Linux's request sockets); at the peer's ISN it is
            // its old SYN again and only the other flags count
            TcpSegmentWriter.sendRstFor(c.layer, s);
            c.layer.destroy(c);
            return false;
        }
        if (!s.has(ACK)) {
            st.inc(Stat.TCP_DROP_UNEXPECTED);
            return false;
        }
        return true;
    }

    /**
     * FIN_WAIT_2 once the application has closed: only the peer's FIN is still of use. Anything else that brings
     * new data is answered with a RST and ends the connection, a SYN at or above RCV.NXT too; a RST in the window
     * ends it silently; a segment outside the window is acknowledged.
     */
    static void orphanFinWait2(TcpConnection c, TcpSegment s, long now) {
        StackStats st = c.layer.stack.stats;
        int end = s.seq + s.seqLen();
        if (!TcpInput.acceptable(c, s)) {
            st.inc(Stat.TCP_DROP_OUT_OF_WINDOW);
            TcpOutput.sendAck(c, now);
            return;
        }
        if (s.has(RST)) {
            st.inc(Stat.TCP_RST_RX);
            c.layer.destroy(c);
            return;
        }
        if (s.has(SYN) && Seq.ge(s.seq, c.rcvNxt)) {
            resetOrphan(c, s);
            return;
        }
        if (!s.has(ACK) || Seq.le(end, c.rcvNxt) || end == s.seq) {
            st.inc(Stat.TCP_DUP_SEGMENTS); // a duplicate or a bare ACK: nothing to do
            return;
        }
        if (!s.has(FIN) || end != c.rcvNxt + 1) {
            st.inc(Stat.TCP_DROP_AFTER_CLOSE); // new data nobody will read (RFC 9293 3.10.7.4, RFC 2525 2.17)
            resetOrphan(c, s);
            return;
        }
        c.finReceived = true;
        c.rcvNxt = end;
        c.layer.enterTimeWait(c, now);
        TcpOutput.sendAck(c, now);
    }

    private static void resetOrphan(TcpConnection c, TcpSegment s) {
        c.layer.stack.stats.inc(Stat.TCP_CONN_RESET);
        TcpSegmentWriter.sendRstFor(c.layer, s);
        c.layer.destroy(c);
    }

    /**
     * TIME_WAIT (RFC 9293 3.10.7.4 and RFC 6191). Only a bare ACK or a RST exactly at RCV.NXT is in the window: the
     * RST ends the state (RFC 1337's protection is off, as by default on Linux), the ACK is taken silently. A SYN
     * that is clearly newer may start a new incarnation when a listener is there. Every other segment but a RST is
     * answered with an ACK; only the retransmission of the peer's FIN restarts 2MSL, so that a stale or blind
     * sender cannot hold the tuple forever (Linux restarts it for every segment carrying ACK).
     * Returns true when the segment goes on to the listener.
     */
    static boolean timeWait(TcpConnection c, TcpSegment s, long now) {
        StackStats st = c.layer.stack.stats;
        if (s.seq == c.rcvNxt && (s.seqLen() == 0 || s.has(RST))) {
            if (s.has(RST)) {
                st.inc(Stat.TCP_RST_RX);
                c.layer.destroy(c);
            } else if (c.tsOn && s.hasTs) {
                c.tsRecent = s.tsVal;
                c.tsRecentNanos = now;
            }
            return false;
        }
        if (s.has(SYN) && !s.has(RST) && !s.has(ACK)
                && (Seq.gt(s.seq, c.rcvNxt) || (c.tsOn && s.hasTs && Seq.gt(s.tsVal, c.tsRecent)))
                && c.layer.listenerFor(c.localPort) != null) {
            st.inc(Stat.TCP_TIME_WAIT_REUSED);
            c.layer.destroy(c);
            return true;
        }
        if (s.has(RST)) {
            st.inc(Stat.TCP_DROP_BAD_RST);
            return false;
        }
        st.inc(Stat.TCP_DUP_SEGMENTS);
        TcpOutput.sendAck(c, now);
        if (s.has(FIN) && s.has(ACK) && s.seq + s.payloadLen + 1 == c.rcvNxt) {
            c.waitDeadline = now + c.cfg.timeWaitNanos; // the peer did not see our ACK of its FIN
            c.layer.timerHeap.schedule(c);
        }
        return false;
    }
}
