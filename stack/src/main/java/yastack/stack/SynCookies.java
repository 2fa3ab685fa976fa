package yastack.stack;

/**
 * SYN cookies: when the backlog is full, a passive open keeps no state until the handshake's final ACK. The
 * SYN-ACK's ISN carries a 5-bit time counter, a 3-bit MSS index and a 24-bit keyed hash of the flow, so the ACK
 * alone rebuilds the connection. Window scale, SACK and ECN, which the ISN has no room for, ride in the low bits of
 * our timestamp and come back in the peer's echo (the bits Linux uses); without timestamps they are lost, as in Linux.
 */
final class SynCookies {
    private static final int[] COOKIE_MSS = {536, 1200, 1360, 1400, 1440, 1460, 4312, 8960};

    private final TcpLayer layer;
    private final NetStack stack;
    private final StackConfig cfg;
    private final SipHash hash;
    private final IsnGenerator isns;

    SynCookies(TcpLayer layer, SipHash hash, IsnGenerator isns) {
        this.layer = layer;
        this.stack = layer.stack;
        this.cfg = layer.cfg;
        this.hash = hash;
        this.isns = isns;
    }

    private static int counter(long now) {
        return (int) (now >>> 36); // ~68.7 s per step
    }

    private int hash24(TcpSegment s, int peerIsn, int counter, int mssIdx) {
        long a = ((long) s.srcIp << 32) | ((long) s.srcPort << 16) | s.dstPort;
        long b = ((long) peerIsn << 32) | ((long) (counter & 31) << 8) | mssIdx;
        return (int) hash.hash(a, b) & 0xFFFFFF;
    }

    /** Answers the SYN s with a SYN-ACK whose ISN is the cookie. */
    void send(TcpSegment s, long now) {
        int peerMss = s.mss > 0 ? s.mss : 536;
        int idx = 0;
        for (int i = 0; i < COOKIE_MSS.length; i++) {
            if (COOKIE_MSS[i] <= peerMss) {
                idx = i;
            }
        }
        int counter = counter(now);
        int iss = ((counter & 31) << 27) | (idx << 24) | hash24(s, s.seq, counter, idx);
        boolean ts = cfg.timestamps && s.hasTs;
        boolean ws = cfg.windowScaling && s.wscale >= 0 && ts;
        boolean sack = cfg.sack && s.sackOk && ts;
        boolean ecn = Ecn.accepts(cfg, s) && ts;
        int tsVal = 0;
        if (ts) {
            int off = isns.tsOffset(s.srcIp, s.srcPort, s.dstPort);
            // the peer echoes this value: its low bits carry the options we cannot keep state for
            tsVal = (((int) (now / 1_000_000L) + off) & ~0x3F) | (ws ? s.wscale : 0xF) | (sack ? 0x10 : 0) | (ecn ? 0x20 : 0);
        }
        int flags = TcpSegment.SYN | TcpSegment.ACK | (ecn ? TcpSegment.ECE : 0);
        TcpSegmentWriter.writeSynFrame(layer, s.dstPort, s.srcIp, s.srcPort, iss, s.seq + 1,
                flags, Math.min(cfg.tcpReceiveBuffer, 65535), stack.pathMtu(s.srcIp) - 40,
                ws ? TcpHandshake.scaleFor(cfg.tcpReceiveBuffer) : -1, sack, ts, tsVal, s.tsVal);
        stack.stats.inc(Stat.TCP_SYN_COOKIES_SENT);
    }

    /** Rebuilds a connection from a valid cookie in the ACK; null when the cookie does not check out. */
    TcpConnection accept(TcpSegment s, long now) {
        int iss = s.ack - 1;
        int counter = iss >>> 27;
        int idx = (iss >>> 24) & 7;
        int cur = counter(now);
        boolean fresh = counter == (cur & 31) || counter == ((cur - 1) & 31);
        if (!fresh || (iss & 0xFFFFFF) != hash24(s, s.seq - 1, counter, idx)) {
            return null;
        }
        TcpConnection c = new TcpConnection(layer, stack.address, s.dstPort, s.srcIp, s.srcPort);
        c.iss = iss;
        c.sndUna = c.sndNxt = c.sndMax = s.ack;
        c.sndBufSeq = s.ack;
        c.recover = iss;
        c.irs = s.seq - 1;
        c.rcvNxt = s.seq;
        c.lastAckSent = s.seq;
        c.rcvAdvEdge = s.seq + Math.min(c.recvBuf.free(), 65535);
        c.advMss = stack.pathMtu(s.srcIp) - 40;
        c.sndMss = Math.min(COOKIE_MSS[idx], c.advMss);
        c.cc.setMss(c.sndMss);
        c.tsOffset = isns.tsOffset(s.srcIp, s.srcPort, s.dstPort);
        if (s.hasTs && cfg.timestamps && s.tsEcr != 0) {
            c.tsOn = true;
            c.tsRecent = s.tsVal;
            c.tsRecentNanos = now;
            int ws = s.tsEcr & 0xF;
            if (ws != 0xF && cfg.windowScaling) {
                c.wsOn = true;
                c.sndWscale = ws;
                c.rcvWscale = TcpHandshake.scaleFor(c.recvBuf.capacity());
            }
            c.sackOn = cfg.sack && (s.tsEcr & 0x10) != 0;
            c.ecnOn = cfg.ecn && (s.tsEcr & 0x20) != 0;
        }
        c.sndWnd = (long) s.window << c.sndWscale;
        c.maxSndWnd = c.sndWnd;
        c.sndWl1 = s.seq;
        c.sndWl2 = s.ack;
        c.cc.init(c.sndMss, now);
        stack.stats.inc(Stat.TCP_SYN_COOKIES_ACCEPTED);
        return c;
    }
}
