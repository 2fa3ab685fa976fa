package yastack.kernel.loop;

import yastack.kernel.stats.Counter;
import yastack.kernel.stats.WorkerStats;

/** Per-worker loop counters: rounds, rounds with work, and time spent busy vs idle. */
public final class LoopStats {
    private final Counter polls;
    private final Counter busyPolls;
    private final Counter busyNanos;
    private final Counter totalNanos;
    private long lastEnd;

    public LoopStats(WorkerStats stats, int worker) {
        String p = "worker." + worker + ".";
        polls = stats.counter(p + "loop_polls");
        busyPolls = stats.counter(p + "loop_busy_polls");
        busyNanos = stats.counter(p + "loop_busy_ns");
        totalNanos = stats.counter(p + "loop_total_ns");
    }

    void round(long start, long end, boolean didWork) {
        polls.inc();
        if (lastEnd != 0) totalNanos.add(end - lastEnd);
        lastEnd = end;
        if (didWork) {
            busyPolls.inc();
            busyNanos.add(end - start);
        }
    }
}
