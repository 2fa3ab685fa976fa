package yastack.kernel.loop;

/**
 * How a worker waits when a round found no work. {@code busy} never blocks (for benchmarks
 * and DPDK at full load); {@code adaptive} spins, then yields, then blocks in epoll for a
 * park time that grows to a cap, so an idle proxy costs almost nothing.
 */
public final class IdleStrategy {
    private final boolean busy;
    private final int spins;
    private final int yields;
    private final long minParkNanos;
    private final long maxParkNanos;
    private int idleRounds;
    private long parkNanos;

    private IdleStrategy(boolean busy, int spins, int yields, long minParkNanos, long maxParkNanos) {
        this.busy = busy;
        this.spins = spins;
        this.yields = yields;
        this.minParkNanos = minParkNanos;
        this.maxParkNanos = maxParkNanos;
        this.parkNanos = minParkNanos;
    }

    /** {@code adaptive} or {@code busy} (the config names); empty means adaptive. */
    public static IdleStrategy of(String name, boolean pollersHaveWakeupFd) {
        if ("busy".equals(name)) return new IdleStrategy(true, 0, 0, 0, 0);
        // With a wake-up fd (TAP) in the epoll set we can sleep long: a frame wakes us.
        long max = pollersHaveWakeupFd ? 1_000_000_000L : 1_000_000L;
        return new IdleStrategy(false, 200, 50, 50_000L, max);
    }

    public boolean busy() {
        return busy;
    }

    void reset() {
        idleRounds = 0;
        parkNanos = minParkNanos;
    }

    /**
     * After a round without work: returns 0 to go round again without blocking, or the
     * nanoseconds the next epoll wait may block.
     */
    long onIdle() {
        if (busy) return 0;
        idleRounds++;
        if (idleRounds <= spins) {
            Thread.onSpinWait();
            return 0;
        }
        if (idleRounds <= spins + yields) {
            Thread.yield();
            return 0;
        }
        long p = parkNanos;
        parkNanos = Math.min(maxParkNanos, parkNanos * 2);
        return p;
    }
}
