package yastack.stack;

/** ACK processing: send-window update, RTT (RFC 6298 + Karn), SACK scoreboard, fast retransmit and NewReno recovery. */
final class TcpAck {
    /** RFC 6298 5.7: the RTO once data flows after a retransmitted SYN without an RTT sample. */
    static final long FALLBACK_RTO = 3_000_000_000L;

    private TcpAck() {}

    static void rttSample(TcpConnection c, long r) {
        if (r < 0) {
            return;
        }
        if (c.srtt == 0 && c.rttvar == 0) {
            c.srtt = r;
            c.rttvar = r / 2;
        } else {
            c.rttvar = (3 * c.rttvar + Math.abs(c.srtt - r)) / 4;
            c.srtt = (7 * c.srtt + r) / 8;
        }
        long rto = c.srtt + Math.max(1_000_000L, 4 * c.rttvar);
        c.rto = Math.min(c.cfg.maxRtoNanos, Math.max(c.cfg.minRtoNanos, rto));
        c.rtoBackoff = 0;
    }

    static void process(TcpConnection c, TcpSegment s, long now) {
        StackStats st = c.layer.stack.stats;
        int ack = s.ack;
        long newWnd = (long) s.window << c.sndWscale;
        long flightBefore = c.sndMax - c.sndUna;
        // RFC 3168 6.1.2: ECE counts when it concerns data in flight (not the SYN's ACK); Linux ignores it otherwise
        boolean echo = c.ecnOn && s.has(TcpSegment.ECE) && flightBefore != 0 && Seq.gt(c.sndUna, c.iss);
        if (c.ecnOn && s.has(TcpSegment.CWR) && Seq.ge(ack, c.sndUna)) {
            Ecn.cwrArrived(c, s);
        }
        if (c.sackOn && s.sackCount > 0) {
            for (int i = 0; i < s.sackCount; i++) {
                int a = s.sackStart[i];
                int b = s.sackEnd[i];
                // ignore D-SACKs and blocks outside what we sent
                if (Seq.lt(a, b) && Seq.gt(a, ack) && Seq.le(b, c.sndMax) && Seq.ge(a, c.sndUna)) {
                    if (!c.sacked.add(a, b)) {
                        break;
                    }
                }
            }
        }
        if (c.inRecovery && c.rtxMarkValid && ack == c.sndUna && c.sackOn
                && Seq.gt(c.sacked.highestEnd(c.sndUna), c.rtxHighMark)) {
            // data sent after our retransmission of SND.UNA was SACKed while SND.UNA was not:
            // that retransmission was lost too; send it again now rather than waiting for the RTO
            st.inc(Stat.TCP_LOST_RETRANSMITS);
            TcpOutput.retransmitFirst(c, now); // only that segment; later holes keep their own progress
        }
        if (Seq.gt(ack, c.sndUna)) {
            c.rtxMarkValid = false;
            int acked = ack - c.sndUna;
            if (c.tsOn && s.hasTs && s.tsEcr != 0) {
                rttSample(c, ((long) (TcpSegmentWriter.tsNow(c, now) - s.tsEcr)) * 1_000_000L);
            } else if (c.rttTiming && Seq.gt(ack, c.rttSeq)) {
                c.rttTiming = false;
                rttSample(c, now - c.rttStart);
            }
            c.retries = 0;
            c.rtoBackoff = 0;
            c.persistBackoff = 0;
            int dataAcked = Seq.min(ack, c.dataEnd()) - c.sndBufSeq;
            if (dataAcked > 0) {
                c.sendBuf.discard(dataAcked);
                c.sndBufSeq += dataAcked;
            }
            c.sndUna = ack;
            if (Seq.lt(c.sndNxt, ack)) {
                c.sndNxt = ack;
            }
            if (Seq.lt(c.rtxNext, ack)) {
                c.rtxNext = ack;
            }
            c.sacked.removeBelow(ack);
            Ecn.acked(c, ack);
            if (c.inRecovery) {
                if (Seq.ge(ack, c.recover)) {
                    c.inRecovery = false;
                    c.dupAcks = 0;
                    c.cc.onRecoveryEnd(now);
                } else {
                    // NewReno partial ACK (RFC 6582 3.2 step 5): the next hole is lost too
                    if (!c.sackOn || c.sacked.count == 0) {
                        TcpOutput.retransmitFirst(c, now);
                    }
                    c.dupAcks = 0;
                }
            } else {
                c.dupAcks = 0;
                // RFC 7661 spirit: only a window that is actually used may grow; not on ECE, nor while the window
                // reduced for one is still out (RFC 3168 6.1.2, as Linux's CWR state)
                if (flightBefore * 2 >= c.cc.cwnd() && !echo && c.ecnHold != Ecn.HOLD_ECE) {
                    c.cc.onAck(acked, flightBefore, c.srtt, now);
                }
            }
            if (c.sndUna == c.sndMax) {
                c.rtoDeadline = TcpConnection.NEVER;
            } else {
                TcpOutput.armRto(c, now);
            }
        } else if (ack == c.sndUna && s.payloadLen == 0 && !s.has(TcpSegment.SYN | TcpSegment.FIN)
                && newWnd == c.sndWnd && c.sndMax != c.sndUna) {
            c.dupAcks++;
            st.inc(Stat.TCP_DUP_ACKS);
            if (!c.inRecovery && Seq.gt(ack, c.recover)) {
                boolean sackLoss = c.sackOn && c.sacked.totalBytes() >= 3L * c.sndMss;
                if (c.dupAcks >= 3 || sackLoss) {
                    enterRecovery(c, now);
                }
            }
        } else if (c.sackOn && !c.inRecovery && ack == c.sndUna && c.sndMax != c.sndUna
                && c.sacked.totalBytes() >= 3L * c.sndMss && Seq.gt(ack, c.recover)) {
            enterRecovery(c, now);
        }
        if (echo) {
            Ecn.echoArrived(c, flightBefore, now);
        }
        // RFC 9293 3.10.7.4: update the send window from the newest segment only
        if (Seq.lt(c.sndWl1, s.seq) || (c.sndWl1 == s.seq && Seq.le(c.sndWl2, ack))) {
            boolean opened = c.sndWnd == 0 && newWnd > 0;
            c.sndWnd = newWnd;
            c.sndWl1 = s.seq;
            c.sndWl2 = ack;
            if (newWnd > c.maxSndWnd) {
                c.maxSndWnd = newWnd;
            }
            if (opened) {
                c.persistDeadline = TcpConnection.NEVER;
                c.persistBackoff = 0;
            }
        }
    }

    private static void enterRecovery(TcpConnection c, long now) {
        StackStats st = c.layer.stack.stats;
        st.inc(Stat.TCP_FAST_RETRANSMITS);
        c.inRecovery = true;
        c.recover = c.sndMax;
        if (Ecn.lossReduces(c)) {
            c.cc.onCongestion(c.sndMax - c.sndUna, now);
        }
        c.rtxNext = c.sndUna;
        TcpOutput.retransmitFirst(c, now);
        TcpOutput.armRto(c, now);
    }
}
