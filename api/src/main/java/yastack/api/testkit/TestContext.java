package yastack.api.testkit;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import yastack.api.PluginContext;
import yastack.api.PluginStats;

/** A plugin context with a clock the test moves and stats the test reads. */
public final class TestContext implements PluginContext {
    private final String name;
    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    private final Map<String, AtomicLong> values = new ConcurrentHashMap<>();

    public TestContext(String name) {
        this.name = name;
    }

    /** Moves {@link #nanoTime()} forward. */
    public void advanceNanos(long nanos) {
        clock.addAndGet(nanos);
    }

    /** The current value of stat {@code stat} (counter, gauge, or histogram count); 0 if never touched. */
    public long stat(String stat) {
        AtomicLong v = values.get(stat);
        return v == null ? 0 : v.get();
    }

    @Override
    public String pluginName() {
        return name;
    }

    @Override
    public System.Logger logger() {
        return System.getLogger("yastack.plugin." + name);
    }

    @Override
    public long nanoTime() {
        return clock.get();
    }

    @Override
    public PluginStats stats() {
        return new PluginStats() {
            @Override
            public Counter counter(String n) {
                AtomicLong v = values.computeIfAbsent(n, k -> new AtomicLong());
                return new Counter() {
                    @Override
                    public void add(long delta) {
                        v.addAndGet(delta);
                    }

                    @Override
                    public long value() {
                        return v.get();
                    }
                };
            }

            @Override
            public Gauge gauge(String n) {
                AtomicLong v = values.computeIfAbsent(n, k -> new AtomicLong());
                return new Gauge() {
                    @Override
                    public void set(long value) {
                        v.set(value);
                    }

                    @Override
                    public void add(long delta) {
                        v.addAndGet(delta);
                    }

                    @Override
                    public long value() {
                        return v.get();
                    }
                };
            }

            @Override
            public Histogram histogram(String n) {
                AtomicLong v = values.computeIfAbsent(n, k -> new AtomicLong());
                return new Histogram() {
                    @Override
                    public void record(long value) {
                        v.incrementAndGet();
                    }

                    @Override
                    public long count() {
                        return v.get();
                    }
                };
            }
        };
    }
}
