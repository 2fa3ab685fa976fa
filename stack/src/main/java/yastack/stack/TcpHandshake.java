package yastack.stack;

import java.util.SplittableRandom;

/**
 * Opening connections (RFC 9293 3.5): a SYN to a listener (state, or a SYN cookie when the backlog is full),
 * SYN_RECEIVED -> ESTABLISHED, the active open's SYN and its reply, and the options both ends agree on.
 */
final class TcpHandshake {
    private final TcpLayer layer;
    private final NetStack stack;
    private final StackConfig cfg;
    private final IsnGenerator isns;
    private final SynCookies cookies;

    TcpHandshake(TcpLayer layer, SplittableRandom random) {
        this.layer = layer;
        this.stack = layer.stack;
        this.cfg = layer.cfg;
        this.isns = new IsnGenerator(new SipHash(random.nextLong(), random.nextLong()), stack.address);
        this.cookies = new SynCookies(layer, new SipHash(random.nextLong(), random.nextLong()), isns);
    }

    private int isn(int remoteIp, int remotePort, int localPort, long now) {
        return layer.fixedIss != null ? layer.fixedIss : isns.isn(remoteIp, remotePort, localPort, now);
    }

    static int scaleFor(int bufferSize) {
        int s = 0;
        while (s < 14 && (bufferSize >>> s) > 65535) {
            s++;
        }
        return s;
    }

    /** Applies the peer's SYN options (RFC 9293 3.7.1, RFC 7323, RFC 2018). */
    void negotiate(TcpConnection c, TcpSegment s) {
        int peerMss = s.mss > 0 ? s.mss : 536;
        c.sndMss = Math.max(64, Math.min(peerMss, stack.pathMtu(c.remoteIp) - 40));
        c.cc.setMss(c.sndMss);
        boolean weOffered = c.listener == null ? cfg.windowScaling : true;
        if (cfg.windowScaling && weOffered && s.wscale >= 0) {
            c.wsOn = true;
            c.sndWscale = s.wscale;
            if (c.listener != null) {
                c.rcvWscale = scaleFor(c.recvBuf.capacity());
            }
        } else {
            c.wsOn = false;
            c.sndWscale = 0;
            c.rcvWscale = 0;
        }
        c.sackOn = cfg.sack && s.sackOk;
        c.tsOn = cfg.timestamps && s.hasTs;
    }

    /** A segment for a listening port that matched no connection: a SYN or a SYN cookie's ACK opens one. */
    void passiveOpen(TcpListener l, TcpSegment s, long now) {
        StackStats st = stack.stats;
        if (s.has(TcpSegment.RST)) {
            st.inc(Stat.TCP_DROP_NO_SOCKET);
            return;
        }
        if (s.has(TcpSegment.ACK)) {
            if (!s.has(TcpSegment.SYN) && cfg.synCookies) {
                TcpConnection nc = cookies.accept(s, now);
                if (nc != null) {
                    layer.register(nc);
                    layer.setState(nc, TcpState.ESTABLISHED);
                    st.inc(Stat.TCP_CONN_OPENED_PASSIVE);
                    Ecn.opened(nc);
                    if (acceptAndNotify(l, nc)) {
                        if (s.payloadLen > 0 || s.has(TcpSegment.FIN)) {
                            TcpInput.segmentArrives(nc, s, now);
                        }
                    }
                    return;
                }
                st.inc(Stat.TCP_DROP_BAD_COOKIE);
            } else {
                st.inc(Stat.TCP_DROP_NO_SOCKET);
            }
            TcpSegmentWriter.sendRstFor(layer, s);
            return;
        }
        if (!s.has(TcpSegment.SYN)) {
            st.inc(Stat.TCP_DROP_UNEXPECTED);
            return;
        }
        if (s.has(TcpSegment.FIN)) {
            st.inc(Stat.TCP_DROP_BAD_FLAGS); // SYN+FIN opens nothing (as Linux: dropped silently)
            return;
        }
        onSyn(l, s, now);
    }

    private void onSyn(TcpListener l, TcpSegment s, long now) {
        boolean full = l.halfOpen >= l.backlog || layer.halfOpenTotal >= cfg.synCookieThreshold;
        if (full) {
            if (cfg.synCookies) {
                cookies.send(s, now);
            } else {
                stack.stats.inc(Stat.TCP_DROP_BACKLOG_FULL);
            }
            return;
        }
        TcpConnection c = new TcpConnection(layer, stack.address, s.dstPort, s.srcIp, s.srcPort);
        c.listener = l;
        c.iss = isn(s.srcIp, s.srcPort, s.dstPort, now);
        c.sndUna = c.iss;
        c.sndNxt = c.iss;
        c.sndMax = c.iss;
        c.sndBufSeq = c.iss + 1;
        c.recover = c.iss;
        c.irs = s.seq;
        c.rcvNxt = s.seq + 1;
        c.rcvAdvEdge = c.rcvNxt;
        c.advMss = stack.pathMtu(s.srcIp) - 40;
        c.tsOffset = isns.tsOffset(s.srcIp, s.srcPort, s.dstPort);
        negotiate(c, s);
        c.ecnOn = Ecn.accepts(cfg, s); // only here: an active open never asks (tcp_ecn=2)
        if (c.tsOn) {
            c.tsRecent = s.tsVal;
            c.tsRecentNanos = now;
        }
        c.sndWnd = s.window;
        c.sndWl1 = s.seq;
        c.rttStart = now;
        layer.register(c);
        layer.setState(c, TcpState.SYN_RECEIVED);
        l.halfOpen++;
        layer.halfOpenTotal++;
        TcpOutput.sendSyn(c, now);
    }

    /** SYN_RECEIVED -> ESTABLISHED on an acceptable ACK. Returns false when the connection went away. */
    boolean established(TcpConnection c, TcpSegment s, long now) {
        if (c.listener != null) {
            c.listener.halfOpen--;
            layer.halfOpenTotal--;
        }
        layer.setState(c, TcpState.ESTABLISHED);
        c.sndWnd = (long) s.window << c.sndWscale;
        c.maxSndWnd = c.sndWnd;
        c.sndWl1 = s.seq;
        c.sndWl2 = s.ack;
        if (!c.tsOn && c.retries == 0) {
            TcpAck.rttSample(c, now - c.rttStart);
        } else if (!c.tsOn) {
            c.rto = Math.max(c.rto, TcpAck.FALLBACK_RTO); // RFC 6298 5.7: SYN-ACK retransmitted, no sample
        }
        c.retries = 0;
        c.rtoBackoff = 0;
        c.rtoDeadline = TcpConnection.NEVER;
        c.cc.init(c.sndMss, now);
        if (c.listener == null) {
            stack.stats.inc(Stat.TCP_CONN_OPENED_ACTIVE); // simultaneous open
            c.handler.onConnected(c);
        } else {
            stack.stats.inc(Stat.TCP_CONN_OPENED_PASSIVE);
            Ecn.opened(c);
            if (!acceptAndNotify(c.listener, c)) {
                return false;
            }
        }
        if (c.state == TcpState.ESTABLISHED && c.finQueued) {
            layer.setState(c, TcpState.FIN_WAIT_1);
        }
        return c.state != TcpState.CLOSED;
    }

    private boolean acceptAndNotify(TcpListener l, TcpConnection c) {
        TcpHandler h = l.closed ? null : l.acceptHandler.accept(c);
        if (h == null) {
            c.abort();
            return false;
        }
        if (c.handler == TcpConnection.NO_HANDLER) {
            c.setHandler(h);
        }
        c.handler.onConnected(c);
        return c.state != TcpState.CLOSED;
    }

    /** The active open: a connection in SYN_SENT whose SYN is on its way. */
    TcpConnection activeOpen(int remoteIp, int remotePort, int localPort, TcpHandler h, long now) {
        TcpConnection c = new TcpConnection(layer, stack.address, localPort, remoteIp, remotePort);
        c.setHandler(h);
        c.iss = isn(remoteIp, remotePort, localPort, now);
        c.sndUna = c.sndNxt = c.sndMax = c.iss;
        c.sndBufSeq = c.iss + 1;
        c.recover = c.iss;
        c.advMss = stack.pathMtu(remoteIp) - 40;
        c.sndMss = Math.min(536, c.advMss);
        c.rcvWscale = cfg.windowScaling ? scaleFor(c.recvBuf.capacity()) : 0;
        c.tsOffset = isns.tsOffset(remoteIp, remotePort, localPort);
        c.rttStart = now;
        layer.register(c);
        layer.setState(c, TcpState.SYN_SENT);
        TcpOutput.sendSyn(c, now);
        return c;
    }

    /** The reply to our SYN (RFC 9293 3.10.7.3): SYN-ACK, a simultaneous open's SYN, or a refusal. */
    void synSent(TcpConnection c, TcpSegment s, long now) {
        StackStats st = stack.stats;
        boolean ackOk = false;
        if (s.has(TcpSegment.ACK)) {
            if (Seq.le(s.ack, c.iss) || Seq.gt(s.ack, c.sndMax)) {
                if (!s.has(TcpSegment.RST)) {
                    TcpSegmentWriter.sendBare(layer, c.localPort, c.remoteIp, c.remotePort, s.ack, 0, TcpSegment.RST, s.tos);
                    st.inc(Stat.TCP_RST_SENT);
                }
                st.inc(Stat.TCP_DROP_BAD_ACK);
                return;
            }
            ackOk = true;
        }
        if (s.has(TcpSegment.RST)) {
            if (ackOk) {
                st.inc(Stat.TCP_RST_RX);
                st.inc(Stat.TCP_CONN_REFUSED);
                layer.destroy(c);
                if (!c.appClosed) {
                    c.handler.onError(c, TcpError.REFUSED);
                }
            } else {
                st.inc(Stat.TCP_DROP_BAD_RST);
            }
            return;
        }
        if (!s.has(TcpSegment.SYN)) {
            st.inc(Stat.TCP_DROP_UNEXPECTED);
            return;
        }
        c.irs = s.seq;
        c.rcvNxt = s.seq + 1;
        c.rcvAdvEdge = c.rcvNxt + Math.min(c.recvBuf.free(), 65535); // what our SYN offered
        negotiate(c, s);
        if (s.hasTs && c.tsOn) {
            c.tsRecent = s.tsVal;
            c.tsRecentNanos = now;
        }
        if (ackOk) {
            if (c.tsOn && s.hasTs && s.tsEcr != 0) {
                TcpAck.rttSample(c, ((long) (TcpSegmentWriter.tsNow(c, now) - s.tsEcr)) * 1_000_000L);
            } else if (c.retries == 0) {
                TcpAck.rttSample(c, now - c.rttStart);
            } else {
                c.rto = Math.max(c.rto, TcpAck.FALLBACK_RTO); // RFC 6298 5.7: SYN retransmitted, no sample
            }
            c.sndUna = s.ack;
            c.sndWnd = s.window; // never scaled in a SYN (RFC 7323 2.2)
            c.maxSndWnd = c.sndWnd;
            c.sndWl1 = s.seq;
            c.sndWl2 = s.ack;
            c.rtoDeadline = TcpConnection.NEVER;
            c.retries = 0;
            c.rtoBackoff = 0;
            c.cc.init(c.sndMss, now);
            layer.setState(c, TcpState.ESTABLISHED);
            stack.stats.inc(Stat.TCP_CONN_OPENED_ACTIVE);
            if (c.keepAlive) {
                c.keepaliveDeadline = now + cfg.keepaliveIdleNanos; // SO_KEEPALIVE set before the handshake
                layer.timerHeap.schedule(c);
            }
            TcpOutput.sendAck(c, now);
            c.handler.onConnected(c);
            if (c.state == TcpState.ESTABLISHED && c.finQueued) {
                layer.setState(c, TcpState.FIN_WAIT_1);
            }
            TcpOutput.output(c, now);
        } else {
            // simultaneous open (RFC 9293 3.5, figure 8)
            layer.setState(c, TcpState.SYN_RECEIVED);
            c.rtoDeadline = TcpConnection.NEVER;
            TcpOutput.sendSyn(c, now);
        }
    }
}
