package yastack.kernel.stats;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * All stats of the process. Each worker asks for its own cells once (at connection or
 * config setup, never per request) and increments them without synchronisation; a read
 * sums the cells of every worker. Names read as paths ({@code cluster.api.upstream_rq_2xx}).
 */
public final class StatsStore {
    private final Map<String, List<Counter>> counters = new ConcurrentHashMap<>();
    private final Map<String, List<Counter>> gauges = new ConcurrentHashMap<>();
    private final Map<String, List<Histogram>> histograms = new ConcurrentHashMap<>();
    private final Map<String, LongSupplier> computed = new ConcurrentHashMap<>();
    private final WorkerStats[] workers;

    public StatsStore(int workerCount) {
        workers = new WorkerStats[workerCount + 1];
        for (int i = 0; i < workers.length; i++) workers[i] = new WorkerStats(this);
    }

    /** The cells of worker {@code index}; index == workerCount is for a thread outside the workers (a dedicated distributor). */
    public WorkerStats worker(int index) {
        return workers[index];
    }


    public int workerCount() {
        return workers.length - 1;
    }

    private final List<Supplier<Map<String, Long>>> sources =
            new CopyOnWriteArrayList<>();

    /** A family of values computed at read time (plugin stats, stack counters), merged into counters. */
    public void registerSource(Supplier<Map<String, Long>> source) {
        sources.add(source);
    }

    /** A value computed at read time (e.g. from the userspace stack's own counters). */
    public void registerComputed(String name, LongSupplier supplier) {
        computed.put(name, supplier);
    }

    Counter newCounter(String name) {
        Counter c = new Counter();
        counters.computeIfAbsent(name, k -> new CopyOnWriteArrayList<>()).add(c);
        return c;
    }

    Counter newGauge(String name) {
        Counter c = new Counter();
        gauges.computeIfAbsent(name, k -> new CopyOnWriteArrayList<>()).add(c);
        return c;
    }

    Histogram newHistogram(String name) {
        Histogram h = new Histogram();
        histograms.computeIfAbsent(name, k -> new CopyOnWriteArrayList<>()).add(h);
        return h;
    }

    /**
     * Counter values (summed over workers, computed ones and sources') at the last
     * {@link #resetCounters()}: reads report what was counted since. The cells themselves are
     * never written from outside their worker, whose unsynchronised increments would lose a reset.
     */
    private volatile Map<String, Long> zero = Map.of();

    /** Counters read from zero from now on (an operator looking at one test's traffic); gauges and histograms are not counters. */
    public void resetCounters() {
        zero = Map.copyOf(counterTotals());
    }

    /** Counters summed over workers, with the computed and sourced ones, sorted by name: since the last reset. */
    public Map<String, Long> counterValues() {
        Map<String, Long> out = counterTotals();
        Map<String, Long> z = zero;
        if (!z.isEmpty()) out.replaceAll((name, v) -> sinceReset(v, z.get(name)));
        return out;
    }

    /** Counters since the process started, whatever {@link #resetCounters()} did (the totals of its last words). */
    public Map<String, Long> counterTotals() {
        Map<String, Long> out = new TreeMap<>();
        counters.forEach((name, cells) -> out.put(name, sum(cells)));
        computed.forEach((name, s) -> out.put(name, s.getAsLong()));
        for (var source : sources) out.putAll(source.get());
        return out;
    }

    /** A count that went below its reset point started again since (a plugin's stats after its reload): it reads whole. */
    private static long sinceReset(long value, Long atReset) {
        return atReset == null || value < atReset ? value : value - atReset;
    }

    public Map<String, Long> gaugeValues() {
        Map<String, Long> out = new TreeMap<>();
        gauges.forEach((name, cells) -> out.put(name, sum(cells)));
        return out;
    }

    /** Histograms merged over workers, sorted by name. */
    public Map<String, org.HdrHistogram.Histogram> histogramValues() {
        Map<String, org.HdrHistogram.Histogram> out = new TreeMap<>();
        histograms.forEach((name, cells) -> {
            org.HdrHistogram.Histogram merged = new org.HdrHistogram.Histogram(1, Histogram.HIGHEST, 3);
            for (Histogram h : cells) h.drainInto(merged);
            out.put(name, merged);
        });
        return out;
    }

    /** One value by name (counter, gauge or computed), 0 when absent. */
    public long value(String name) {
        List<Counter> g = gauges.get(name);
        if (g != null) return sum(g);
        return sinceReset(rawCounter(name), zero.get(name));
    }

    private long rawCounter(String name) {
        List<Counter> c = counters.get(name);
        if (c != null) return sum(c);
        LongSupplier s = computed.get(name);
        if (s != null) return s.getAsLong();
        for (var source : sources) {
            Long v = source.get().get(name);
            if (v != null) return v;
        }
        return 0;
    }

    private static long sum(List<Counter> cells) {
        long total = 0;
        for (Counter c : new ArrayList<>(cells)) total += c.get();
        return total;
    }
}
