package yastack.stack;

import java.nio.ByteBuffer;

/**
 * One TCP connection (RFC 9293). Non-blocking: read/write move what they can and return the count; readiness is
 * reported through the {@link TcpHandler}. Everything runs on the owning shard's thread.
 * Protocol processing lives in {@link TcpInput}, {@link TcpOutput} and {@link TcpTimers}; this class holds the
 * state they share and the application-facing API.
 */
public final class TcpConnection {
    static final TcpHandler NO_HANDLER = new TcpHandler() {};
    static final long NEVER = Long.MAX_VALUE;

    final TcpLayer layer;
    final StackConfig cfg;
    final int localIp, localPort, remoteIp, remotePort;
    final long key;
    TcpHandler handler = NO_HANDLER;
    TcpListener listener;
    TcpState state = TcpState.CLOSED;
    int listIndex = -1;
    int heapIndex = -1;
    long heapKey;

    // options
    boolean noDelay;
    boolean keepAlive;
    int lingerSeconds = -1;

    // send sequence space
    int iss, sndUna, sndNxt, sndMax, sndWl1, sndWl2;
    long sndWnd, maxSndWnd;
    int sndWscale, rcvWscale;
    int sndMss = 536;
    int advMss;
    int sndBufSeq;         // sequence number of the first byte held in sendBuf
    ByteRing sendBuf;
    boolean finQueued;     // application shut down output; FIN goes after the buffered data
    boolean writeBlocked;  // a short write happened: report onWritable when space frees

    // receive sequence space
    int irs, rcvNxt;
    int rcvAdvEdge;        // right edge of the window last advertised
    ByteRing recvBuf;
    SeqRanges ooo;
    boolean finReceived;
    boolean peerFinPending; // FIN seen beyond a hole
    int peerFinSeq;
    boolean appClosed;     // close() called: further data from the peer is answered with RST

    // negotiated options
    boolean tsOn, sackOn, wsOn;
    int tsRecent;
    long tsRecentNanos;
    int tsOffset;
    int lastAckSent;
    SeqRanges sacked;      // sender scoreboard
    boolean dsackPending;  // report a duplicate in the next ACK (RFC 2883)
    int dsackStart, dsackEnd;

    // ECN (RFC 3168), see Ecn
    boolean ecnOn;         // negotiated
    boolean ecnEcho;       // CE arrived: ECE on what we send until the peer's CWR
    boolean ecnSendCwr;    // the window was reduced: CWR on the next new data
    int ecnHold;           // Ecn.HOLD_*: why ECE is not acted on until SND.UNA passes ecnRecover
    int ecnRecover;

    // RTT / RTO (RFC 6298)
    long srtt, rttvar, rto;
    int rtoBackoff;
    boolean rttTiming;
    int rttSeq;
    long rttStart;
    int retries;

    // loss recovery
    CongestionControl cc;
    int dupAcks;
    boolean inRecovery;
    int recover;
    int rtxNext;
    int rtxHighMark;       // SND.MAX when the segment at SND.UNA was last retransmitted
    boolean rtxMarkValid;

    // delayed ACK
    int unackedSegments;
    boolean ackNow;

    // timers (absolute nanos, NEVER when off)
    long rtoDeadline = NEVER, delackDeadline = NEVER, persistDeadline = NEVER, keepaliveDeadline = NEVER, waitDeadline = NEVER;
    int persistBackoff;
    int keepaliveSent;
    long lastRxNanos;

    boolean closeNotified;

    TcpConnection(TcpLayer layer, int localIp, int localPort, int remoteIp, int remotePort) {
        this.layer = layer;
        this.cfg = layer.cfg;
        this.localIp = localIp;
        this.localPort = localPort;
        this.remoteIp = remoteIp;
        this.remotePort = remotePort;
        this.key = TcpTable.key(remoteIp, remotePort, localPort);
        this.noDelay = cfg.noDelayDefault;
        this.sendBuf = new ByteRing(cfg.tcpSendBuffer);
        this.recvBuf = new ByteRing(cfg.tcpReceiveBuffer);
        this.ooo = new SeqRanges(cfg.maxOooRanges);
        this.sacked = new SeqRanges(32);
        this.cc = cfg.congestionControl.get();
        this.rto = cfg.initialRtoNanos;
    }

    // ---------------------------------------------------------------- application API

    public TcpState state() {
        return state;
    }

    public int localAddress() {
        return localIp;
    }

    public int localPort() {
        return localPort;
    }

    public int remoteAddress() {
        return remoteIp;
    }

    public int remotePort() {
        return remotePort;
    }

    public void setHandler(TcpHandler h) {
        handler = h == null ? NO_HANDLER : h;
    }

    public TcpHandler handler() {
        return handler;
    }

    /** Bytes ready to read now. */
    public int readableBytes() {
        return recvBuf.size();
    }

    /** Send-buffer space available now. */
    public int writableBytes() {
        return canWrite() ? sendBuf.free() : 0;
    }

    /** Bytes written but not yet acknowledged by the peer. */
    public int unacknowledgedBytes() {
        return sendBuf.size();
    }

    /** True once the peer's FIN has arrived. */
    public boolean peerClosed() {
        return finReceived;
    }

    /**
     * Moves up to {@code dst.remaining()} received bytes into dst. Returns the count, 0 when nothing is buffered,
     * or -1 when the peer has closed and everything was read.
     */
    public int read(ByteBuffer dst) {
        int n = recvBuf.read(dst);
        if (n == 0) {
            return finReceived || state == TcpState.CLOSED ? -1 : 0;
        }
        if (state.synchronizedState() && !finReceived) {
            TcpOutput.maybeWindowUpdate(this);
        }
        return n;
    }

    /** Copies up to {@code src.remaining()} bytes into the send buffer and sends what the windows allow. */
    public int write(ByteBuffer src) {
        if (!canWrite()) {
            throw new IllegalStateException("connection not writable in state " + state + (finQueued ? " (output shut down)" : ""));
        }
        int want = src.remaining();
        int n = sendBuf.append(src);
        if (n < want) {
            writeBlocked = true;
        }
        if (n > 0 && (state == TcpState.ESTABLISHED || state == TcpState.CLOSE_WAIT)) {
            TcpOutput.output(this, layer.now());
            layer.stack.flushIfIdle();
        }
        return n;
    }

    private boolean canWrite() {
        return !finQueued && (state == TcpState.SYN_SENT || state == TcpState.SYN_RECEIVED
                || state == TcpState.ESTABLISHED || state == TcpState.CLOSE_WAIT);
    }

    /** Half-close: a FIN is sent after the buffered data; reading continues. */
    public void shutdownOutput() {
        if (finQueued) {
            return;
        }
        switch (state) {
            case SYN_SENT -> layer.destroy(this);
            case SYN_RECEIVED -> finQueued = true; // FIN goes out once established (RFC 9293 3.10.4)
            case ESTABLISHED -> {
                finQueued = true;
                layer.setState(this, TcpState.FIN_WAIT_1);
                TcpOutput.output(this, layer.now());
                layer.stack.flushIfIdle();
            }
            case CLOSE_WAIT -> {
                finQueued = true;
                layer.setState(this, TcpState.LAST_ACK);
                TcpOutput.output(this, layer.now());
                layer.stack.flushIfIdle();
            }
            default -> {
            }
        }
    }

    /**
     * Closes both directions. Unread received data (or linger 0) turns this into an abort with RST, as Linux does;
     * otherwise the buffered data and a FIN are sent and the connection finishes in the background.
     */
    public void close() {
        if (appClosed) {
            return;
        }
        appClosed = true;
        if (lingerSeconds == 0 || (recvBuf.size() > 0 && state.synchronizedState())) {
            abort();
            return;
        }
        shutdownOutput();
        if (state == TcpState.FIN_WAIT_2) {
            waitDeadline = layer.now() + cfg.finWait2Nanos;
            layer.timerHeap.schedule(this);
        }
    }

    /** Drops the connection at once, telling the peer with RST when it knows of us. */
    public void abort() {
        appClosed = true;
        if (state == TcpState.CLOSED) {
            return;
        }
        if (state.synchronizedState() || state == TcpState.SYN_RECEIVED) {
            if (state != TcpState.TIME_WAIT) {
                TcpOutput.sendRst(this, sndNxt);
                layer.stack.stats.inc(Stat.TCP_CONN_RESET);
            }
        }
        layer.destroy(this);
        layer.stack.flushIfIdle();
    }

    public boolean noDelay() {
        return noDelay;
    }

    /** Disables Nagle's algorithm: small segments go out even while data is in flight. */
    public void setNoDelay(boolean on) {
        noDelay = on;
        if (on && state.synchronizedState()) {
            TcpOutput.output(this, layer.now());
        }
    }

    public boolean keepAlive() {
        return keepAlive;
    }

    public void setKeepAlive(boolean on) {
        keepAlive = on;
        keepaliveSent = 0;
        if (on && state.synchronizedState()) {
            keepaliveDeadline = lastRxNanos + cfg.keepaliveIdleNanos;
            layer.timerHeap.schedule(this);
        } else {
            keepaliveDeadline = NEVER;
        }
    }

    /** -1 (default) = background close; 0 = close() resets. Positive values behave like -1 (non-blocking stack). */
    public void setLinger(int seconds) {
        lingerSeconds = seconds;
    }

    public int linger() {
        return lingerSeconds;
    }

    public int sendBufferSize() {
        return sendBuf.capacity();
    }

    public int receiveBufferSize() {
        return recvBuf.capacity();
    }

    /** Resizes the send buffer; only while it is empty. */
    public void setSendBufferSize(int size) {
        if (sendBuf.size() != 0) {
            throw new IllegalStateException("send buffer not empty");
        }
        sendBuf = new ByteRing(Math.max(2048, size));
    }

    /** Resizes the receive buffer; only while it holds nothing. The window stays within what the SYN's scale allows. */
    public void setReceiveBufferSize(int size) {
        if (recvBuf.size() != 0 || ooo.count != 0) {
            throw new IllegalStateException("receive buffer not empty");
        }
        recvBuf = new ByteRing(Math.max(2048, size));
    }

    /** Smoothed RTT in nanoseconds (0 before the first sample). */
    public long smoothedRttNanos() {
        return srtt;
    }

    public long congestionWindow() {
        return cc.cwnd();
    }

    public String congestionControl() {
        return cc.name();
    }

    /** True when window scaling, timestamps and SACK were negotiated. */
    public boolean windowScaling() {
        return wsOn;
    }

    public boolean timestamps() {
        return tsOn;
    }

    public boolean sack() {
        return sackOn;
    }

    /** True when ECN (RFC 3168) was negotiated. */
    public boolean ecn() {
        return ecnOn;
    }

    public int mss() {
        return sndMss;
    }

    @Override
    public String toString() {
        return "tcp " + Wire.ip(localIp) + ":" + localPort + " -> " + Wire.ip(remoteIp) + ":" + remotePort + " " + state;
    }

    // ---------------------------------------------------------------- shared helpers

    /** Current receive window in bytes (space not yet holding in-order data). */
    int receiveWindow() {
        return recvBuf.free();
    }

    int dataEnd() {
        return sndBufSeq + sendBuf.size();
    }

    /** Sequence number of our FIN, valid when finQueued. */
    int finSeq() {
        return dataEnd();
    }

    boolean finAcked() {
        return finQueued && Seq.gt(sndUna, finSeq());
    }
}
