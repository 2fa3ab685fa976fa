package yastack.kernel.stats;

import java.util.HashMap;
import java.util.Map;

/**
 * The stats cells of one worker. Lookups happen when a connection, cluster or listener
 * is set up on the worker and the cells are cached there; only the owning thread calls it.
 */
public final class WorkerStats {
    private final StatsStore store;
    private final Map<String, Counter> counters = new HashMap<>();
    private final Map<String, Counter> gauges = new HashMap<>();
    private final Map<String, Histogram> histograms = new HashMap<>();

    WorkerStats(StatsStore store) {
        this.store = store;
    }

    public synchronized Counter counter(String name) {
        return counters.computeIfAbsent(name, store::newCounter);
    }

    public synchronized Counter gauge(String name) {
        return gauges.computeIfAbsent(name, store::newGauge);
    }

    public synchronized Histogram histogram(String name) {
        return histograms.computeIfAbsent(name, store::newHistogram);
    }
}
