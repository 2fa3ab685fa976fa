package yastack.stack;

/** Per-connection timers: retransmission (RFC 6298 5.4-5.7), delayed ACK, persist, keepalive, TIME_WAIT/FIN_WAIT_2. */
final class TcpTimers {
    private TcpTimers() {}

    /** Runs the timers of c that are due; returns c's next deadline. */
    static long run(TcpConnection c, long now) {
        if (c.waitDeadline <= now) {
            c.waitDeadline = TcpConnection.NEVER;
            if (c.state == TcpState.TIME_WAIT) {
                c.layer.destroy(c);
                return TcpConnection.NEVER;
            }
            if (c.state == TcpState.FIN_WAIT_2 && c.appClosed) {
                c.layer.stack.stats.inc(Stat.TCP_CONN_TIMED_OUT);
                c.layer.destroy(c);
                return TcpConnection.NEVER;
            }
        }
        if (c.rtoDeadline <= now) {
            c.rtoDeadline = TcpConnection.NEVER;
            rto(c, now);
            if (c.state == TcpState.CLOSED) {
                return TcpConnection.NEVER;
            }
        }
        if (c.delackDeadline <= now) {
            c.delackDeadline = TcpConnection.NEVER;
            if (c.unackedSegments > 0 && c.state != TcpState.CLOSED) {
                c.layer.stack.stats.inc(Stat.TCP_DELAYED_ACKS);
                TcpOutput.sendAck(c, now);
            }
        }
        if (c.persistDeadline <= now) {
            c.persistDeadline = TcpConnection.NEVER;
            persist(c, now);
        }
        if (c.keepaliveDeadline <= now) {
            c.keepaliveDeadline = TcpConnection.NEVER;
            keepalive(c, now);
            if (c.state == TcpState.CLOSED) {
                return TcpConnection.NEVER;
            }
        }
        return next(c);
    }

    static long next(TcpConnection c) {
        return Math.min(Math.min(c.rtoDeadline, c.delackDeadline),
                Math.min(Math.min(c.persistDeadline, c.keepaliveDeadline), c.waitDeadline));
    }

    private static void fail(TcpConnection c) {
        c.layer.stack.stats.inc(Stat.TCP_CONN_TIMED_OUT);
        c.layer.destroy(c);
        if (!c.appClosed) {
            c.handler.onError(c, TcpError.TIMED_OUT);
        }
    }

    private static void rto(TcpConnection c, long now) {
        StackStats st = c.layer.stack.stats;
        st.inc(Stat.TCP_RTO_FIRES);
        c.retries++;
        c.rtoBackoff++;
        c.rttTiming = false; // Karn: no samples from retransmitted data
        switch (c.state) {
            case SYN_SENT -> {
                if (c.retries > c.cfg.synRetries) {
                    fail(c);
                    return;
                }
                st.inc(Stat.TCP_RETRANSMITS);
                TcpOutput.sendSyn(c, now);
                return;
            }
            case SYN_RECEIVED -> {
                if (c.retries > c.cfg.synAckRetries) {
                    if (c.listener != null) {
                        c.layer.destroy(c);
                    } else {
                        fail(c);
                    }
                    return;
                }
                st.inc(Stat.TCP_RETRANSMITS);
                TcpOutput.sendSyn(c, now);
                return;
            }
            case CLOSED, LISTEN, TIME_WAIT, FIN_WAIT_2 -> {
                return;
            }
            default -> {
            }
        }
        if (c.retries > c.cfg.maxRetransmits) {
            fail(c);
            return;
        }
        if (c.sndUna == c.sndMax) {
            return;
        }
        // RFC 6298 5.5-5.6 and RFC 5681 3.1: back off, collapse the window, go back to SND.UNA
        c.cc.onRto(c.sndMax - c.sndUna, now);
        Ecn.timedOut(c);
        c.inRecovery = false;
        c.dupAcks = 0;
        c.recover = c.sndMax;
        c.sndNxt = c.sndUna;
        c.rtxNext = c.sndUna;
        TcpOutput.output(c, now);
        if (c.sndNxt == c.sndUna) {
            TcpOutput.retransmitFirst(c, now);
        }
        TcpOutput.armRto(c, now);
    }

    private static void persist(TcpConnection c, long now) {
        if (!TcpOutput.dataState(c.state)) {
            return;
        }
        int avail = c.dataEnd() - c.sndUna;
        if (avail <= 0 || c.sndNxt != c.sndUna) {
            return;
        }
        if (c.sndWnd > 0) {
            // the window is open but too small for sender SWS avoidance: the override timeout sends what fits
            int len = (int) Math.min(Math.min(avail, c.sndWnd), TcpOutput.maxPayload(c));
            TcpSegmentWriter.sendSegment(c, c.sndUna, len, TcpSegment.ACK | (len == avail ? TcpSegment.PSH : 0), now);
            c.sndNxt = c.sndUna + len;
            if (Seq.gt(c.sndNxt, c.sndMax)) {
                c.sndMax = c.sndNxt;
            }
            TcpOutput.armRto(c, now);
            return;
        }
        // zero-window probe: one byte of new data past the window (RFC 9293 3.8.6.1); kept up as long as the peer answers
        c.layer.stack.stats.inc(Stat.TCP_ZERO_WINDOW_PROBES);
        if (Seq.lt(c.sndMax, c.sndUna + 1)) {
            c.sndMax = c.sndUna + 1;
        }
        TcpSegmentWriter.sendSegment(c, c.sndUna, 1, TcpSegment.ACK, now);
        c.persistBackoff++;
        long t = Math.min(c.cfg.maxRtoNanos, Math.max(c.rto, c.cfg.minRtoNanos) << Math.min(c.persistBackoff, 20));
        c.persistDeadline = now + t;
        c.layer.timerHeap.schedule(c);
    }

    private static void keepalive(TcpConnection c, long now) {
        if (!c.keepAlive || !c.state.synchronizedState() || c.state == TcpState.TIME_WAIT) {
            return;
        }
        if (c.keepaliveSent >= c.cfg.keepaliveProbes) {
            fail(c);
            return;
        }
        c.keepaliveSent++;
        c.layer.stack.stats.inc(Stat.TCP_KEEPALIVE_PROBES);
        // RFC 1122 4.2.3.6: SEG.SEQ = SND.NXT-1 with no data provokes an ACK
        TcpSegmentWriter.sendSegment(c, c.sndUna - 1, 0, TcpSegment.ACK, now);
        c.keepaliveDeadline = now + c.cfg.keepaliveIntervalNanos;
        c.layer.timerHeap.schedule(c);
    }
}
