package yastack.stack;

/**
 * Per-connection starting values an off-path attacker must not guess: the initial sequence number (RFC 6528) and
 * the timestamp offset (RFC 7323 5.4), both keyed hashes of the connection's addresses under one per-shard secret.
 */
final class IsnGenerator {
    private final SipHash hash;
    private final int localAddress;

    IsnGenerator(SipHash hash, int localAddress) {
        this.hash = hash;
        this.localAddress = localAddress;
    }

    int isn(int remoteIp, int remotePort, int localPort, long now) {
        long h = hash.hash(((long) remoteIp << 32) | (remotePort << 16) | localPort, localAddress);
        return (int) h + (int) (now / 4000); // RFC 6528: keyed hash plus a 4 microsecond clock
    }

    int tsOffset(int remoteIp, int remotePort, int localPort) {
        return (int) (hash.hash(((long) remoteIp << 32) | (remotePort << 16) | localPort, 0x7473L) >>> 32);
    }
}
