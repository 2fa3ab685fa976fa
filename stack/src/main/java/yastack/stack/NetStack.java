package yastack.stack;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Objects;
import java.util.function.IntPredicate;

/**
 * One shard of the userspace TCP/IP stack: Ethernet II, ARP, IPv4 (with reassembly), ICMP, UDP and TCP.
 * Driven from outside on a single thread: {@link #input} for each received frame, {@link #poll} for timers
 * (and to flush transmitted frames), the {@link FrameSink} for output. Nothing here blocks, spawns threads or
 * allocates per packet in steady state. This class holds the shard's identity, routes and API; received frames go
 * through FrameInput, outgoing IPv4 frames are built by Ipv4Output, and UdpLayer/TcpLayer own the transports.
 */
public final class NetStack {
    static final int ETH_IPV4 = 0x0800, ETH_ARP = 0x0806;
    static final int PROTO_ICMP = 1, PROTO_TCP = 6, PROTO_UDP = 17;
    static final int L4_OFFSET = 14 + 20;

    final StackConfig cfg;
    final Clock clock;
    final FrameSink sink;
    final StackStats stats;
    final long mac;
    final int address;
    private final int mask;
    private final int subnetBroadcast;
    final TcpLayer tcp;
    final ArpTable arp;
    private final Ipv4Reassembler reasm;
    final Icmp icmp;
    final Ipv4Output ipOut;
    final UdpLayer udp;
    private final FrameInput frameInput;
    long now;
    private int depth;
    private int holds;
    private boolean started;
    private long nextDeadline;

    public NetStack(StackConfig config, Clock clock, FrameSink sink) {
        this.cfg = Objects.requireNonNull(config);
        this.clock = Objects.requireNonNull(clock);
        this.sink = Objects.requireNonNull(sink);
        if (config.address == 0 || config.mac == 0) {
            throw new IllegalArgumentException("MAC and IPv4 address are required");
        }
        this.mac = config.mac;
        this.address = config.address;
        this.mask = config.prefixLength == 0 ? 0 : -1 << (32 - config.prefixLength);
        this.subnetBroadcast = config.prefixLength >= 31 ? -1 : (address | ~mask);
        this.now = clock.nanoTime();
        this.stats = new StackStats(this);
        this.tcp = new TcpLayer(this);
        this.arp = new ArpTable(this);
        this.reasm = new Ipv4Reassembler(this);
        this.icmp = new Icmp(this);
        this.ipOut = new Ipv4Output(this);
        this.udp = new UdpLayer(this);
        this.frameInput = new FrameInput(this, reasm); // last: it keeps every layer it dispatches to in a final field
    }

    public StackConfig config() {
        return cfg;
    }

    public StackStats stats() {
        return stats;
    }

    public int address() {
        return address;
    }

    public long mac() {
        return mac;
    }

    /** Current contents of the neighbour cache. */
    public List<ArpEntry> arpTable() {
        return arp.snapshot(now);
    }

    /** Number of TCP connections this shard holds (any state but LISTEN). */
    public int tcpConnectionCount() {
        return tcp.connectionCount();
    }

    // ---------------------------------------------------------------- driving

    /** Processes one received Ethernet frame of {@code length} bytes, read in place. Never throws on bad input. */
    public void input(MemorySegment frame, long length) {
        input(frame, length, clock.nanoTime());
    }

    /**
     * As {@link #input(MemorySegment, long)}, received at {@code nowNanos} on the stack's clock: a
     * poller handing over a burst reads the clock once for all of its frames (a clock read per
     * frame was ~1% of a worker's user time).
     */
    public void input(MemorySegment frame, long length, long nowNanos) {
        depth++;
        try {
            now = nowNanos;
            if (!started) {
                start();
            }
            frameInput.ethernet(frame, Math.min(length, frame.byteSize()));
        } finally {
            depth--;
        }
    }

    /** ByteBuffer flavour of {@link #input(MemorySegment, long)}: the frame is position..limit. */
    public void input(ByteBuffer frame) {
        MemorySegment s = MemorySegment.ofBuffer(frame);
        input(s, s.byteSize());
    }

    /**
     * Runs due timers (TCP retransmission, delayed ACK, persist, keepalive, TIME_WAIT; ARP retries; reassembly
     * timeouts), flushes the sink, and returns the next deadline in the clock's nanoseconds.
     */
    public long poll(long nowNanos) {
        depth++;
        try {
            now = nowNanos;
            if (!started) {
                start();
            }
            if (nowNanos >= nextDeadline) {
                nextDeadline = Long.MAX_VALUE;
                long a = arp.poll(nowNanos);
                long r = reasm.poll(nowNanos);
                nextDeadline = Math.min(nextDeadline, Math.min(a, r));
            }
            long t = tcp.timerHeap.poll(nowNanos);
            return Math.min(t, nextDeadline);
        } finally {
            depth--;
            sink.flush();
        }
    }

    /** Pushes out queued frames now. */
    public void flush() {
        sink.flush();
    }

    long currentTime() {
        if (depth == 0) {
            now = clock.nanoTime();
        }
        return now;
    }

    void flushIfIdle() {
        if (depth == 0 && holds == 0) {
            sink.flush();
        }
    }

    /**
     * Keeps frames that application writes produce queued in the sink until the matching
     * {@link #releaseTransmit()}, so a caller that writes on many connections in one go (a worker
     * loop handling a round of host-socket events) hands them to the device in one burst instead of
     * one per write. Nests.
     */
    public void holdTransmit() {
        holds++;
    }

    /** Ends a {@link #holdTransmit()}; the outermost one flushes what was queued. */
    public void releaseTransmit() {
        if (holds == 0) throw new IllegalStateException("releaseTransmit without holdTransmit");
        if (--holds == 0 && depth == 0) {
            sink.flush();
        }
    }

    void scheduleAt(long t) {
        if (t < nextDeadline) {
            nextDeadline = t;
        }
    }

    private void ensureStarted() {
        if (!started) {
            start();
        }
    }

    private void start() {
        started = true;
        if (cfg.gratuitousArp) {
            arp.gratuitous();
        }
    }

    /** Announces our address (RFC 5227 style announcement); also sent automatically on the first input/poll. */
    public void sendGratuitousArp() {
        arp.gratuitous();
        flushIfIdle();
    }

    // ---------------------------------------------------------------- sockets

    /** Listens on port of our address (addr 0 or our own address). */
    public TcpListener listen(int addr, int port, int backlog, AcceptHandler handler) {
        if (addr != 0 && addr != address) {
            throw new IllegalArgumentException("not a local address: " + Wire.ip(addr));
        }
        return tcp.listen(port, backlog, Objects.requireNonNull(handler));
    }

    public TcpListener listen(int port, int backlog, AcceptHandler handler) {
        return listen(0, port, backlog, handler);
    }

    /** Active open from the caller-chosen local port (choose one with {@link #pickEphemeralPort}). */
    public TcpConnection connect(int remoteAddr, int remotePort, int localPort, TcpHandler handler) {
        depth++;
        try {
            now = clock.nanoTime();
            ensureStarted();
            return tcp.connect(remoteAddr, remotePort, localPort, handler);
        } finally {
            depth--;
            flushIfIdle();
        }
    }

    /**
     * A free local port in 32768..60999 for a connection to remote, owned by this shard's flow filter and accepted
     * by {@code accept} (e.g. "the RSS hash of the return flow lands on my queue"); -1 when none is left.
     */
    public int pickEphemeralPort(int remoteAddr, int remotePort, IntPredicate accept) {
        return tcp.pickEphemeralPort(remoteAddr, remotePort, accept);
    }

    /** Binds a UDP socket; port 0 picks an ephemeral one. */
    public UdpSocket openUdp(int port, UdpSocket.Listener listener) {
        return udp.open(port, listener);
    }

    /** A datagram from a {@link UdpSocket}: like the other entry points from outside, it flushes unless held. */
    boolean udpSend(int sport, int dst, int dport, ByteBuffer data) {
        int len = data.remaining();
        if (len + 28 > 65535) {
            throw new IllegalArgumentException("datagram of " + len + " bytes is too large for IPv4");
        }
        currentTime();
        depth++;
        try {
            ensureStarted();
            return udp.send(sport, dst, dport, data);
        } finally {
            depth--;
            flushIfIdle();
        }
    }

    /** Sends an ICMP echo request (for tests and health checks); replies go to the echo listener. */
    public void ping(int dst, int id, int seq, int payloadLength) {
        currentTime();
        ensureStarted();
        icmp.sendEcho(dst, id, seq, payloadLength);
        flushIfIdle();
    }

    public void setEchoReplyListener(Icmp.EchoReplyListener l) {
        icmp.echoListener = l;
    }

    // ---------------------------------------------------------------- addressing and output

    boolean isBroadcast(int a) {
        return a == -1 || a == subnetBroadcast;
    }

    boolean onLink(int a) {
        return ((a ^ address) & mask) == 0;
    }

    /** The address frames to dst are sent to on the link (dst itself, or the gateway), or 0 when unroutable. */
    int nextHop(int dst) {
        if (isBroadcast(dst) || onLink(dst)) {
            return dst;
        }
        return cfg.gateway;
    }

    int pathMtu(int dst) {
        return cfg.mtu;
    }

    void transmit(MemorySegment f, int len) {
        stats.inc(Stat.ETH_TX);
        if (len < 60) {
            for (int i = len; i < 60; i++) {
                Wire.put8(f, i, 0); // pad to the Ethernet minimum
            }
            len = 60;
        }
        sink.send(f, len);
    }
}
