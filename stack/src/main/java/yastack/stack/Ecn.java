package yastack.stack;

/**
 * Explicit Congestion Notification (RFC 3168) on the connections that agreed to it, as Linux with its default
 * {@code tcp_ecn=2}: a listener agrees when a SYN asks, our own SYNs never ask. The receiver echoes a CE mark with
 * ECE until the sender's CWR; the sender marks new data ECT(0) and answers ECE by reducing its window as for a loss,
 * at most once per window of data, and tells the receiver with CWR on the next new data. The state lives in
 * {@link TcpConnection}'s {@code ecn*} fields.
 */
final class Ecn {
    /** The ECN field, the low two bits of the IP type of service (RFC 3168 5). */
    static final int NOT_ECT = 0, ECT0 = 2, CE = 3, MASK = 3;
    /** Why ECE is not acted on until SND.UNA passes {@code ecnRecover}: nothing, a reduction for ECE, an RTO. */
    static final int HOLD_NONE = 0, HOLD_ECE = 1, HOLD_RTO = 2;

    private static final int ECE = TcpSegment.ECE, CWR = TcpSegment.CWR;

    private Ecn() {}

    /**
     * Whether a SYN to a listener gets ECN: it asks with ECE and CWR (RFC 3168 6.1.1) and is not itself ECN-capable,
     * which a SYN must not be; Linux takes an ECT or CE SYN for a path that rewrites the field and leaves ECN off,
     * unless a reserved flag (AccECN's AE among them) shows a sender that set the field on purpose.
     */
    static boolean accepts(StackConfig cfg, TcpSegment s) {
        return cfg.ecn && (s.flags & (ECE | CWR)) == (ECE | CWR) && ((s.tos & MASK) == NOT_ECT || s.reserved != 0);
    }

    /** Counts a connection that reached ESTABLISHED with ECN. */
    static void opened(TcpConnection c) {
        if (c.ecnOn) {
            c.layer.stack.stats.inc(Stat.TCP_ECN_CONNECTIONS);
        }
    }

    /**
     * The ECN field of a non-SYN segment of c about to go out at {@code seq}: ECT(0) for new data only, never for a
     * pure ACK (6.1.4), a retransmission (6.1.5) or a zero-window probe (6.1.6), whose byte lies below SND.MAX.
     */
    static int field(TcpConnection c, int seq, int len) {
        return c.ecnOn && len > 0 && Seq.ge(seq, c.sndMax) ? ECT0 : NOT_ECT;
    }

    /**
     * The flags of that segment: ECE while CE is being echoed, except from the states Linux hands to a time-wait
     * socket, whose ACKs carry none; CWR on the first new data after a window reduction (6.1.2), then no more.
     */
    static int flags(TcpConnection c, int flags, int field) {
        if (c.ecnEcho && c.state != TcpState.TIME_WAIT && !(c.state == TcpState.FIN_WAIT_2 && c.appClosed)) {
            flags |= ECE;
        }
        if (field != NOT_ECT && c.ecnSendCwr) {
            c.ecnSendCwr = false;
            flags |= CWR;
        }
        return flags;
    }

    /**
     * Data arrived in the window (not a whole duplicate): a CE mark starts the echo (6.1.3), and the first one is
     * acknowledged at once since the sender's window may be small. CE on a segment without data means nothing.
     */
    static void dataArrived(TcpConnection c, TcpSegment s) {
        if (c.ecnOn && (s.tos & MASK) == CE) {
            c.layer.stack.stats.inc(Stat.TCP_ECN_CE_RECEIVED);
            if (!c.ecnEcho) {
                c.ecnEcho = true;
                c.ackNow = true;
            }
        }
    }

    /**
     * CWR on an ACK no older than SND.UNA, taken before the segment's data (whose own CE starts the echo again):
     * the sender has reduced its window, the echo stops. Linux takes it on a pure ACK too, for senders that put it
     * there; data carrying it is acknowledged at once, the sender's window being small.
     */
    static void cwrArrived(TcpConnection c, TcpSegment s) {
        c.ecnEcho = false;
        if (s.payloadLen > 0 || s.has(TcpSegment.FIN)) {
            c.ackNow = true;
        }
    }

    /**
     * SND.UNA moved up to {@code ack}: a reduction for ECE holds until data sent after it is acknowledged (as Linux's
     * CWR state, so that the CWR it put on that data arrived), one for an RTO until what was then outstanding is.
     */
    static void acked(TcpConnection c, int ack) {
        if (c.ecnHold != HOLD_NONE && (Seq.gt(ack, c.ecnRecover) || (c.ecnHold == HOLD_RTO && ack == c.ecnRecover))) {
            c.ecnHold = HOLD_NONE;
        }
    }

    /**
     * An ACK with ECE that acknowledged or repeated outstanding data (Linux ignores one when nothing is in flight):
     * the window shrinks as for a loss, without a retransmission (6.1.2), unless loss recovery or an earlier
     * reduction already answers for this window of data.
     */
    static void echoArrived(TcpConnection c, long flightBefore, long now) {
        if (c.inRecovery || c.ecnHold != HOLD_NONE) {
            return;
        }
        c.cc.onCongestion(flightBefore, now);
        c.ecnHold = HOLD_ECE;
        c.ecnRecover = c.sndMax;
        c.ecnSendCwr = true;
        c.layer.stack.stats.inc(Stat.TCP_ECN_WINDOW_REDUCTIONS);
    }

    /**
     * Fast retransmit is about to reduce the window: returns false when an ECE already reduced it for this window of
     * data (once per window, as Linux's CWR state); otherwise the next new data carries CWR for the loss's reduction.
     */
    static boolean lossReduces(TcpConnection c) {
        if (c.ecnHold == HOLD_ECE) {
            c.ecnHold = HOLD_NONE; // recovery holds from here
            return false;
        }
        if (c.ecnOn) {
            c.ecnSendCwr = true;
        }
        return true;
    }

    /** The RTO collapsed the window: CWR on the next new data, and ECE changes nothing until this window is acknowledged. */
    static void timedOut(TcpConnection c) {
        if (c.ecnOn) {
            c.ecnSendCwr = true;
            c.ecnHold = HOLD_RTO;
            c.ecnRecover = c.sndMax;
        }
    }
}
