package yastack.kernel.loop;

/**
 * A worker's clock for what needs no finer time than the loop's own turn: timeouts, idle and
 * activity stamps. {@link System#nanoTime()} is read once after each point where the loop may
 * have waited and reused until the next, so it lags the true time by at most the work of one
 * loop round (a few hundred microseconds under load). A request read the real clock 6-8 times
 * on the way through (3-5% of a worker's user time in the vDSO); latencies that are reported
 * still read it themselves. Worker thread only.
 */
public final class LoopClock {
    private long now;
    private boolean stale = true;

    /** Monotonic nanoseconds, as {@link System#nanoTime()}, as of this loop round. */
    public long nanoTime() {
        if (stale) {
            now = System.nanoTime();
            stale = false;
        }
        return now;
    }

    /** The loop read the real clock at the start of a round. */
    void set(long nanos) {
        now = nanos;
        stale = false;
    }

    /** The loop may wait now: the next read takes the real clock again. */
    void mayWait() {
        stale = true;
    }
}
