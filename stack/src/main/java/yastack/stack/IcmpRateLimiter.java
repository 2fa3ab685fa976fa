package yastack.stack;

/**
 * How many ICMP errors go out (RFC 1812 4.3.2.8, RFC 1122 3.2.2), as Linux limits them: per
 * destination a token bucket that lets a burst of six through and then one per
 * {@code icmpRateLimitNanos} (Linux's {@code icmp_ratelimit}, 1 s), and over all destinations
 * at most {@code icmpErrorsPerSecond}. Destinations live in a fixed table; a newcomer that
 * lands on another's slot takes it over with a full bucket, as a peer Linux has forgotten.
 */
final class IcmpRateLimiter {
    private static final int BURST = 6;
    private static final int SLOTS = 256;

    private final StackConfig cfg;
    private final StackStats stats;
    private final int[] peer = new int[SLOTS];
    private final boolean[] used = new boolean[SLOTS];
    private final long[] tokens = new long[SLOTS];
    private final long[] last = new long[SLOTS];
    private long windowStart;
    private int sentInWindow;

    IcmpRateLimiter(StackConfig cfg, StackStats stats) {
        this.cfg = cfg;
        this.stats = stats;
    }

    /** Whether an error to {@code dst} may go out at {@code now}; counts it when it may not. */
    boolean allow(int dst, long now) {
        if (now - windowStart >= 1_000_000_000L) {
            windowStart = now;
            sentInWindow = 0;
        }
        if (sentInWindow >= cfg.icmpErrorsPerSecond || !peerAllows(dst, now)) {
            stats.inc(Stat.ICMP_UNREACH_RATE_LIMITED);
            return false;
        }
        sentInWindow++;
        return true;
    }

    private boolean peerAllows(int dst, long now) {
        long interval = cfg.icmpRateLimitNanos;
        if (interval <= 0) {
            return true;
        }
        int i = (dst * 0x9E3779B9) >>> 24; // SLOTS = 256: the top 8 bits of a Fibonacci hash
        long cap = BURST * interval;
        long t;
        if (!used[i] || peer[i] != dst) {
            used[i] = true;
            peer[i] = dst;
            t = cap;
        } else {
            t = Math.min(cap, tokens[i] + (now - last[i]));
        }
        last[i] = now;
        boolean ok = t >= interval;
        tokens[i] = ok ? t - interval : t;
        return ok;
    }
}
