package yastack.kernel.plugin;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import yastack.kernel.util.Logs;

/**
 * Failures of plugin code at run time: each one counts as
 * {@code plugin.<name>.errors}; the log gets at most one line per plugin per
 * interval (with the number of failures since the last line) so a plugin that
 * fails on every request cannot flood it.
 */
public final class PluginErrors {
    private static final System.Logger LOG = Logs.get("yastack.plugin");

    private final PluginStatsRegistry stats;
    private final long intervalNanos;
    private final LongSupplier clock;
    private final Map<String, Window> windows = new ConcurrentHashMap<>();

    public PluginErrors(PluginStatsRegistry stats) {
        this(stats, TimeUnit.SECONDS.toNanos(10), System::nanoTime);
    }

    public PluginErrors(PluginStatsRegistry stats, long intervalNanos, LongSupplier clock) {
        this.stats = stats;
        this.intervalNanos = intervalNanos;
        this.clock = clock;
    }

    /**
     * Records a failure of plugin {@code plugin} in {@code where} (e.g.
     * {@code onRequestHeaders}); returns whether it was logged.
     */
    public boolean report(String plugin, String where, Throwable error) {
        stats.counter("plugin." + plugin + ".errors").inc();
        Window w = windows.computeIfAbsent(plugin, p -> new Window());
        long now = clock.getAsLong();
        long last = w.lastLog.get();
        if (last != Long.MIN_VALUE && now - last < intervalNanos) {
            w.suppressed.incrementAndGet();
            return false;
        }
        if (!w.lastLog.compareAndSet(last, now)) {
            w.suppressed.incrementAndGet();
            return false;
        }
        long suppressed = w.suppressed.getAndSet(0);
        String more = suppressed > 0 ? " (" + suppressed + " more failures since the last report)" : "";
        LOG.log(System.Logger.Level.WARNING, "plugin " + plugin + " failed in " + where + more + ": " + error, error);
        return true;
    }

    private static final class Window {
        final AtomicLong lastLog = new AtomicLong(Long.MIN_VALUE);
        final AtomicLong suppressed = new AtomicLong();
    }
}
