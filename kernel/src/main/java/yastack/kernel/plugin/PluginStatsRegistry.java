package yastack.kernel.plugin;

import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.ConcurrentHistogram;
import yastack.api.PluginStats;

/**
 * The stats plugins publish, by full name ({@code plugin.<name>.<stat>}).
 * Counters are {@link LongAdder}s so workers increment without contention;
 * readers take a {@link #snapshot()}. The kernel's stats store can read this
 * registry (or replace it) when it exists.
 */
public final class PluginStatsRegistry {
    private final Map<String, CounterImpl> counters = new ConcurrentHashMap<>();
    private final Map<String, GaugeImpl> gauges = new ConcurrentHashMap<>();
    private final Map<String, HistogramImpl> histograms = new ConcurrentHashMap<>();

    /** The scope of plugin {@code pluginName}: stats named {@code plugin.<pluginName>.*}. */
    public PluginStats scope(String pluginName) {
        String prefix = "plugin." + pluginName + ".";
        return new PluginStats() {
            @Override
            public Counter counter(String name) {
                return PluginStatsRegistry.this.counter(prefix + checkName(name));
            }

            @Override
            public Gauge gauge(String name) {
                return gauges.computeIfAbsent(prefix + checkName(name), n -> new GaugeImpl());
            }

            @Override
            public Histogram histogram(String name) {
                return histograms.computeIfAbsent(prefix + checkName(name), n -> new HistogramImpl());
            }
        };
    }

    /** The counter with full name {@code fullName} (the kernel's own use, e.g. {@code plugin.x.errors}). */
    public PluginStats.Counter counter(String fullName) {
        return counters.computeIfAbsent(fullName, n -> new CounterImpl());
    }

    /**
     * Every counter and gauge by full name, and for each histogram
     * {@code <name>.count}, {@code .p50}, {@code .p99} and {@code .max}; sorted by name.
     */
    public SortedMap<String, Long> snapshot() {
        SortedMap<String, Long> out = new TreeMap<>();
        counters.forEach((k, v) -> out.put(k, v.value()));
        gauges.forEach((k, v) -> out.put(k, v.value()));
        histograms.forEach((k, v) -> {
            ConcurrentHistogram h = v.histogram;
            out.put(k + ".count", h.getTotalCount());
            out.put(k + ".p50", h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(50));
            out.put(k + ".p99", h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(99));
            out.put(k + ".max", h.getTotalCount() == 0 ? 0 : h.getMaxValue());
        });
        return out;
    }

    private static String checkName(String name) {
        if (name == null || name.isEmpty() || name.startsWith(".") || name.endsWith(".")) {
            throw new IllegalArgumentException("stat name must be a non-empty dotted path, got '" + name + "'");
        }
        return name;
    }

    private static final class CounterImpl implements PluginStats.Counter {
        private final LongAdder adder = new LongAdder();

        @Override
        public void add(long delta) {
            if (delta < 0) throw new IllegalArgumentException("counters only go up; use a gauge");
            adder.add(delta);
        }

        @Override
        public long value() {
            return adder.sum();
        }
    }

    private static final class GaugeImpl implements PluginStats.Gauge {
        private final AtomicLong value = new AtomicLong();

        @Override
        public void set(long v) {
            value.set(v);
        }

        @Override
        public void add(long delta) {
            value.addAndGet(delta);
        }

        @Override
        public long value() {
            return value.get();
        }
    }

    private static final class HistogramImpl implements PluginStats.Histogram {
        // Auto-resizing with 2 significant digits: plugins record whatever unit they like.
        private final ConcurrentHistogram histogram = new ConcurrentHistogram(2);

        @Override
        public void record(long value) {
            histogram.recordValue(Math.max(0, value));
        }

        @Override
        public long count() {
            return histogram.getTotalCount();
        }
    }
}
