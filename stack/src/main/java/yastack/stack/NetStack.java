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
 * allocates per packet in steady state.
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
    private final UdpSocket[] udp = new UdpSocket[65536];
    private final MemorySegment scratch;
    long now;
    private int depth;
    private int holds;
    private int ipId;
    private boolean started;
    private long nextDeadline;
    // transmit in progress (beginIp .. endIp); never nested
    private boolean txUnresolved;
    private int txHop;
    private long txMac;
    private boolean txFragment;
    private MemorySegment bigScratch;

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
        this.scratch = MemorySegment.ofArray(new byte[14 + Math.max(config.mtu, 1500) + 64]);
        this.ipId = (int) config.randomSeed & 0xffff;
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
        depth++;
        try {
            now = clock.nanoTime();
            if (!started) {
                start();
            }
            ethernet(frame, Math.min(length, frame.byteSize()));
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
        if (port == 0) {
            for (int p = 49152; p < 65536; p++) {
                if (udp[p] == null) {
                    port = p;
                    break;
                }
            }
        }
        if (port <= 0 || port > 65535 || udp[port] != null) {
            throw new IllegalStateException("UDP port unavailable: " + port);
        }
        UdpSocket s = new UdpSocket(this, port, cfg.tcpReceiveBuffer, listener);
        udp[port] = s;
        return s;
    }

    void udpClose(UdpSocket s) {
        if (udp[s.port] == s) {
            udp[s.port] = null;
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

    // ---------------------------------------------------------------- Ethernet / IPv4 input

    private void ethernet(MemorySegment f, long len) {
        stats.inc(Stat.ETH_RX);
        if (len < 14) {
            stats.inc(Stat.ETH_DROP_TRUNCATED);
            return;
        }
        long dst = Wire.mac(f, 0);
        boolean bcast = dst == ArpTable.BROADCAST;
        if (dst != mac && !bcast) {
            stats.inc(Stat.ETH_DROP_NOT_FOR_US);
            return;
        }
        int type = Wire.u16(f, 12);
        switch (type) {
            case ETH_IPV4 -> ipv4(f, 14, len - 14, bcast);
            case ETH_ARP -> arp.input(f, 14, len - 14, now);
            case 0x8100, 0x88a8 -> stats.inc(Stat.ETH_DROP_VLAN);
            default -> stats.inc(Stat.ETH_DROP_UNKNOWN_TYPE);
        }
    }

    private boolean isBroadcast(int a) {
        return a == -1 || a == subnetBroadcast;
    }

    private void ipv4(MemorySegment f, long off, long len, boolean l2bcast) {
        stats.inc(Stat.IP_RX);
        if (len < 20) {
            stats.inc(Stat.IP_DROP_TRUNCATED);
            return;
        }
        int vihl = Wire.u8(f, off);
        if ((vihl >>> 4) != 4) {
            stats.inc(Stat.IP_DROP_BAD_VERSION);
            return;
        }
        int ihl = (vihl & 15) * 4;
        if (ihl < 20 || ihl > len) {
            stats.inc(Stat.IP_DROP_BAD_HEADER_LENGTH);
            return;
        }
        int total = Wire.u16(f, off + 2);
        if (total < ihl || total > len) {
            stats.inc(Stat.IP_DROP_BAD_TOTAL_LENGTH);
            return;
        }
        if (Wire.checksum(f, off, ihl) != 0) {
            stats.inc(Stat.IP_DROP_BAD_CHECKSUM);
            return;
        }
        int src = Wire.i32(f, off + 12);
        int dst = Wire.i32(f, off + 16);
        boolean bcast = isBroadcast(dst);
        if (dst != address && !bcast) {
            stats.inc(Stat.IP_DROP_NOT_FOR_US);
            return;
        }
        if (src == address || isBroadcast(src) || (src >>> 28) == 0xE || (src >>> 24) == 127 || src == 0 || (src >>> 28) == 0xF) {
            stats.inc(Stat.IP_DROP_BAD_SOURCE);
            return;
        }
        int proto = Wire.u8(f, off + 9);
        int frag = Wire.u16(f, off + 6);
        MemorySegment b = f;
        long ipOff = off;
        if ((frag & 0x3fff) != 0) {
            b = reasm.add(f, off, ihl, total, now);
            if (b == null) {
                return;
            }
            ipOff = 0;
            ihl = 20;
            total = reasm.completeLength;
        }
        long l4 = ipOff + ihl;
        int l4len = total - ihl;
        switch (proto) {
            case PROTO_TCP -> {
                if (bcast || l2bcast) {
                    stats.inc(Stat.IP_DROP_NOT_FOR_US);
                    return;
                }
                tcp.input(b, l4, l4len, src, dst);
            }
            case PROTO_UDP -> udpInput(b, ipOff, l4, l4len, src, dst, bcast);
            case PROTO_ICMP -> icmp.input(b, ipOff, l4, l4len, src, bcast || l2bcast);
            default -> {
                stats.inc(Stat.IP_DROP_UNKNOWN_PROTOCOL);
                if (!bcast && !l2bcast) {
                    icmp.sendUnreachable(b, ipOff, total, src, 2);
                }
            }
        }
    }

    private void udpInput(MemorySegment b, long ipOff, long off, int len, int src, int dst, boolean bcast) {
        stats.inc(Stat.UDP_RX);
        if (len < 8) {
            stats.inc(Stat.UDP_DROP_TRUNCATED);
            return;
        }
        int ulen = Wire.u16(b, off + 4);
        if (ulen < 8 || ulen > len) {
            stats.inc(Stat.UDP_DROP_BAD_LENGTH);
            return;
        }
        if (Wire.u16(b, off + 6) != 0 && Wire.fold(Wire.sum(b, off, ulen, Wire.pseudo(src, dst, PROTO_UDP, ulen))) != 0) {
            stats.inc(Stat.UDP_DROP_BAD_CHECKSUM);
            return;
        }
        int sport = Wire.u16(b, off);
        int dport = Wire.u16(b, off + 2);
        if (!cfg.flowFilter.owns(PROTO_UDP, src, sport, dst, dport)) {
            stats.inc(Stat.UDP_DROP_NOT_OWNED);
            return;
        }
        UdpSocket s = udp[dport];
        if (s == null) {
            stats.inc(Stat.UDP_DROP_NO_SOCKET);
            if (!bcast) {
                icmp.sendUnreachable(b, ipOff, (int) (off - ipOff) + ulen, src, 3);
            }
            return;
        }
        s.deliver(src, sport, b, off + 8, ulen - 8);
    }

    boolean udpSend(int sport, int dst, int dport, ByteBuffer data) {
        int len = data.remaining();
        if (len + 28 > 65535) {
            throw new IllegalArgumentException("datagram of " + len + " bytes is too large for IPv4");
        }
        currentTime();
        depth++;
        try {
            ensureStarted();
            MemorySegment f = beginIp(dst, PROTO_UDP, 8 + len);
            if (f == null) {
                return false;
            }
            long o = L4_OFFSET;
            Wire.put16(f, o, sport);
            Wire.put16(f, o + 2, dport);
            Wire.put16(f, o + 4, 8 + len);
            Wire.put16(f, o + 6, 0);
            MemorySegment.copy(MemorySegment.ofBuffer(data), 0, f, o + 8, len);
            data.position(data.position() + len);
            int c = Wire.fold(Wire.sum(f, o, 8 + len, Wire.pseudo(address, dst, PROTO_UDP, 8 + len)));
            Wire.put16(f, o + 6, c == 0 ? 0xffff : c);
            endIp(f, L4_OFFSET + 8 + len);
            stats.inc(Stat.UDP_TX);
            return true;
        } finally {
            depth--;
            flushIfIdle();
        }
    }

    // ---------------------------------------------------------------- IPv4 output

    /** The address frames to dst are sent to on the link (dst itself, or the gateway), or 0 when unroutable. */
    int nextHop(int dst) {
        if (isBroadcast(dst) || ((dst ^ address) & mask) == 0) {
            return dst;
        }
        return cfg.gateway;
    }

    int pathMtu(int dst) {
        return cfg.mtu;
    }

    /**
     * Starts an IPv4 frame to dst carrying l4Len bytes of protocol proto: writes Ethernet and IP headers and
     * returns the buffer (L4 header goes at {@link #L4_OFFSET}), or null when it cannot be sent.
     */
    MemorySegment beginIp(int dst, int proto, int l4Len) {
        int total = 20 + l4Len;
        boolean fragment = false;
        if (total > cfg.mtu) {
            if (proto == PROTO_TCP || total > 65535) {
                stats.inc(Stat.IP_DROP_TOO_BIG);
                return null;
            }
            fragment = true; // built whole, sent as fragments by endIp (RFC 791 3.2)
        }
        long dmac;
        int hop;
        if (isBroadcast(dst)) {
            dmac = ArpTable.BROADCAST;
            hop = dst;
        } else {
            if (((dst ^ address) & mask) == 0) {
                hop = dst;
            } else if (cfg.gateway != 0) {
                hop = cfg.gateway;
            } else {
                stats.inc(Stat.IP_DROP_NO_ROUTE);
                return null;
            }
            dmac = arp.lookup(hop, now);
        }
        MemorySegment f;
        txFragment = fragment;
        txMac = dmac;
        txHop = hop;
        if (fragment) {
            if (bigScratch == null) {
                bigScratch = MemorySegment.ofArray(new byte[14 + 65536]);
            }
            f = bigScratch;
            txUnresolved = dmac < 0;
        } else if (dmac >= 0) {
            f = sink.acquire(Math.max(60, 14 + total));
            if (f == null) {
                stats.inc(Stat.ETH_TX_NO_BUFFER);
                return null;
            }
            txUnresolved = false;
            Wire.putMac(f, 0, dmac);
        } else {
            f = scratch;
            txUnresolved = true;
            txHop = hop;
            Wire.putMac(f, 0, 0);
        }
        Wire.putMac(f, 0, Math.max(dmac, 0));
        Wire.putMac(f, 6, mac);
        Wire.put16(f, 12, ETH_IPV4);
        Wire.put32(f, 14, 0x45000000 | total);
        Wire.put16(f, 18, ipId++);
        Wire.put16(f, 20, proto == PROTO_TCP ? 0x4000 : 0);
        Wire.put8(f, 22, cfg.ttl);
        Wire.put8(f, 23, proto);
        Wire.put16(f, 24, 0);
        Wire.put32(f, 26, address);
        Wire.put32(f, 30, dst);
        Wire.put16(f, 24, Wire.checksum(f, 14, 20));
        return f;
    }

    void endIp(MemorySegment f, int frameLen) {
        stats.inc(Stat.IP_TX);
        if (txFragment) {
            txFragment = false;
            sendFragments(f, frameLen);
            return;
        }
        if (txUnresolved) {
            txUnresolved = false;
            arp.queue(txHop, f, frameLen);
            return;
        }
        transmit(f, frameLen);
    }

    private void sendFragments(MemorySegment whole, int frameLen) {
        int payload = frameLen - L4_OFFSET;
        int chunkMax = (cfg.mtu - 20) & ~7;
        boolean unresolved = txUnresolved;
        txUnresolved = false;
        for (int off = 0; off < payload; off += chunkMax) {
            int n = Math.min(chunkMax, payload - off);
            boolean more = off + n < payload;
            int len = L4_OFFSET + n;
            MemorySegment f = unresolved ? scratch : sink.acquire(Math.max(60, len));
            if (f == null) {
                stats.inc(Stat.ETH_TX_NO_BUFFER);
                return;
            }
            MemorySegment.copy(whole, 0, f, 0, L4_OFFSET);
            MemorySegment.copy(whole, L4_OFFSET + off, f, L4_OFFSET, n);
            Wire.put16(f, 16, 20 + n);
            Wire.put16(f, 20, (more ? 0x2000 : 0) | (off >>> 3));
            Wire.put16(f, 24, 0);
            Wire.put16(f, 24, Wire.checksum(f, 14, 20));
            if (unresolved) {
                arp.queue(txHop, f, len);
            } else {
                transmit(f, len);
            }
        }
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
