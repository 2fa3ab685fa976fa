package yastack.stack;

import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Everything a shard is built from. Fluent setters; read once by {@link NetStack}'s constructor
 * (except the per-connection TCP defaults, which each new connection copies).
 */
public final class StackConfig {
    long mac;
    int address;
    int prefixLength = 24;
    int gateway;
    int mtu = 1500;
    int ttl = 64;
    FlowFilter flowFilter = FlowFilter.ALL;
    /** Wall-clock milliseconds, only for ICMP timestamp replies (the stack's timers run on its {@link Clock}). */
    LongSupplier wallClockMillis = System::currentTimeMillis;
    long randomSeed = System.nanoTime() ^ 0x5DEECE66DL;
    // ARP
    long arpTimeoutNanos = 60_000_000_000L;
    long arpRetryNanos = 1_000_000_000L;
    int arpRetries = 3;
    int arpPendingPerAddress = 16;
    int arpMaxEntries = 1024;
    boolean gratuitousArp = true;
    // IPv4 reassembly
    long reassemblyTimeoutNanos = 30_000_000_000L;
    int reassemblyMaxDatagrams = 16;
    // ICMP
    int icmpErrorsPerSecond = 1000;
    long icmpRateLimitNanos = 1_000_000_000L;
    // TCP
    int tcpSendBuffer = 256 * 1024;
    int tcpReceiveBuffer = 256 * 1024;
    long delayedAckNanos = 40_000_000L;
    long initialRtoNanos = 1_000_000_000L;
    long minRtoNanos = 200_000_000L;
    long maxRtoNanos = 120_000_000_000L;
    int synRetries = 6;
    int synAckRetries = 5;
    int maxRetransmits = 15;
    long timeWaitNanos = 60_000_000_000L;
    long finWait2Nanos = 60_000_000_000L;
    long keepaliveIdleNanos = 7_200_000_000_000L;
    long keepaliveIntervalNanos = 75_000_000_000L;
    int keepaliveProbes = 9;
    boolean windowScaling = true;
    boolean timestamps = true;
    boolean sack = true;
    boolean synCookies = true;
    boolean ecn = true;
    int synCookieThreshold = 1024;
    int maxOooRanges = 64;
    int challengeAcksPerSecond = 1000;
    boolean noDelayDefault;
    Supplier<CongestionControl> congestionControl = Cubic::new;

    public StackConfig mac(long mac) { this.mac = mac; return this; }
    public StackConfig mac(String mac) { this.mac = Wire.parseMac(mac); return this; }
    public StackConfig address(int address, int prefixLength) {
        if (prefixLength < 0 || prefixLength > 32) {
            throw new IllegalArgumentException("prefix length " + prefixLength);
        }
        this.address = address;
        this.prefixLength = prefixLength;
        return this;
    }
    public StackConfig address(String address, int prefixLength) { return address(Wire.parseIp(address), prefixLength); }
    public StackConfig gateway(int gateway) { this.gateway = gateway; return this; }
    public StackConfig gateway(String gateway) { return gateway(Wire.parseIp(gateway)); }
    public StackConfig mtu(int mtu) {
        if (mtu < 576 || mtu > 9216) {
            throw new IllegalArgumentException("mtu " + mtu);
        }
        this.mtu = mtu;
        return this;
    }
    public StackConfig ttl(int ttl) { this.ttl = ttl; return this; }
    public StackConfig flowFilter(FlowFilter f) { this.flowFilter = f; return this; }
    public StackConfig wallClockMillis(LongSupplier v) { this.wallClockMillis = v; return this; }
    public StackConfig randomSeed(long seed) { this.randomSeed = seed; return this; }
    public StackConfig arpTimeoutNanos(long v) { this.arpTimeoutNanos = v; return this; }
    public StackConfig arpRetryNanos(long v) { this.arpRetryNanos = v; return this; }
    public StackConfig arpRetries(int v) { this.arpRetries = v; return this; }
    public StackConfig gratuitousArp(boolean v) { this.gratuitousArp = v; return this; }
    public StackConfig reassemblyTimeoutNanos(long v) { this.reassemblyTimeoutNanos = v; return this; }
    public StackConfig reassemblyMaxDatagrams(int v) { this.reassemblyMaxDatagrams = v; return this; }
    public StackConfig icmpErrorsPerSecond(int v) { this.icmpErrorsPerSecond = v; return this; }
    /** Per destination, one ICMP error per this long after a burst of six (Linux's icmp_ratelimit); 0: no per-destination limit. */
    public StackConfig icmpRateLimitNanos(long v) { this.icmpRateLimitNanos = v; return this; }
    public StackConfig tcpSendBuffer(int v) { this.tcpSendBuffer = checkBuffer(v); return this; }
    public StackConfig tcpReceiveBuffer(int v) { this.tcpReceiveBuffer = checkBuffer(v); return this; }
    /** 0 disables delayed ACKs (every segment is acknowledged at once). */
    public StackConfig delayedAckNanos(long v) { this.delayedAckNanos = v; return this; }
    public StackConfig initialRtoNanos(long v) { this.initialRtoNanos = v; return this; }
    public StackConfig minRtoNanos(long v) { this.minRtoNanos = v; return this; }
    public StackConfig maxRtoNanos(long v) { this.maxRtoNanos = v; return this; }
    public StackConfig synRetries(int v) { this.synRetries = v; return this; }
    public StackConfig synAckRetries(int v) { this.synAckRetries = v; return this; }
    public StackConfig maxRetransmits(int v) { this.maxRetransmits = v; return this; }
    public StackConfig timeWaitNanos(long v) { this.timeWaitNanos = v; return this; }
    public StackConfig finWait2Nanos(long v) { this.finWait2Nanos = v; return this; }
    public StackConfig keepalive(long idleNanos, long intervalNanos, int probes) {
        this.keepaliveIdleNanos = idleNanos;
        this.keepaliveIntervalNanos = intervalNanos;
        this.keepaliveProbes = probes;
        return this;
    }
    public StackConfig windowScaling(boolean v) { this.windowScaling = v; return this; }
    public StackConfig timestamps(boolean v) { this.timestamps = v; return this; }
    public StackConfig sack(boolean v) { this.sack = v; return this; }
    public StackConfig synCookies(boolean v) { this.synCookies = v; return this; }
    /**
     * ECN (RFC 3168) as Linux's default {@code tcp_ecn=2}: agree when a peer's SYN asks for it (then mark data
     * ECT(0), echo CE with ECE, answer ECE by reducing the window); our own SYNs never ask. false: never agree.
     */
    public StackConfig ecn(boolean v) { this.ecn = v; return this; }
    /** Half-open connections per shard above which SYNs are answered with cookies instead of state. */
    public StackConfig synCookieThreshold(int v) { this.synCookieThreshold = v; return this; }
    /** Most disjoint out-of-order ranges a connection keeps; segments that would need more are dropped. */
    public StackConfig maxOooRanges(int v) { this.maxOooRanges = Math.max(1, v); return this; }
    public StackConfig challengeAcksPerSecond(int v) { this.challengeAcksPerSecond = v; return this; }
    public StackConfig noDelayDefault(boolean v) { this.noDelayDefault = v; return this; }
    public StackConfig congestionControl(Supplier<CongestionControl> v) { this.congestionControl = v; return this; }

    public long mac() { return mac; }
    public int address() { return address; }
    public int prefixLength() { return prefixLength; }
    public int mtu() { return mtu; }
    public boolean sack() { return sack; }
    public boolean timestamps() { return timestamps; }
    public boolean windowScaling() { return windowScaling; }
    public boolean ecn() { return ecn; }
    public boolean synCookies() { return synCookies; }
    public int tcpSendBuffer() { return tcpSendBuffer; }
    public int tcpReceiveBuffer() { return tcpReceiveBuffer; }
    public long keepaliveIdleNanos() { return keepaliveIdleNanos; }
    public long keepaliveIntervalNanos() { return keepaliveIntervalNanos; }
    public int keepaliveProbes() { return keepaliveProbes; }

    private static int checkBuffer(int v) {
        if (v < 2048 || v > (1 << 30)) {
            throw new IllegalArgumentException("buffer size " + v);
        }
        return v;
    }
}
