package yastack.proxy.overload;

import com.google.protobuf.util.Durations;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import yastack.api.config.MemoryWatermarks;
import yastack.api.config.OverloadManager;
import yastack.kernel.stats.StatsStore;
import yastack.kernel.util.Logs;

/**
 * Envoy's overload manager for a JVM proxy. A thread of its own samples heap (after GC) and
 * direct memory every {@code refresh_interval} and sets the level every worker reads (one
 * volatile read per new connection or request):
 * <ol>
 * <li>above either resource's first watermark, new connections are accepted and closed at
 * once and responses close their connection (keep-alive off);</li>
 * <li>above the second, new requests are also answered 503 with {@code x-yastack-overloaded: true};</li>
 * <li>below both, everything is back.</li>
 * </ol>
 * While the heap holds the level up it asks for a full collection every second: young
 * collections leave the old generation's garbage in the figure, and without allocation there
 * is no collection at all, so freed memory would never let the proxy recover. When that
 * collection shows the memory really is in use, the next request for one waits twice as long
 * (up to {@value #GC_PROBE_MAX_MILLIS} ms), so a large live heap is not collected over and
 * over. It also keeps the global count of client connections against
 * {@code max_active_downstream_connections}.
 */
public final class OverloadMonitor implements AutoCloseable {
    private static final System.Logger LOG = Logs.get("yastack");
    private static final long GC_PROBE_MILLIS = 1000;
    private static final long GC_PROBE_MAX_MILLIS = 8_000;

    /** What the proxy is doing about memory, in escalating order. */
    public enum Level {
        NORMAL, STOP_ACCEPTING_CONNECTIONS, STOP_ACCEPTING_REQUESTS;

        String configName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The compiled {@code overload_manager} section. */
    record Settings(boolean enabled, long refreshMillis, double heapConnections, double heapRequests,
                    double directConnections, double directRequests, int maxConnections) {
        static Settings of(OverloadManager c) {
            MemoryWatermarks h = c.getHeap(), d = c.getDirectMemory();
            return new Settings(!c.hasEnabled() || c.getEnabled(),
                    c.hasRefreshInterval() ? Math.max(1, Durations.toMillis(c.getRefreshInterval())) : 250,
                    h.hasStopAcceptingConnections() ? h.getStopAcceptingConnections() : 0.90,
                    h.hasStopAcceptingRequests() ? h.getStopAcceptingRequests() : 0.95,
                    d.hasStopAcceptingConnections() ? d.getStopAcceptingConnections() : 0.90,
                    d.hasStopAcceptingRequests() ? d.getStopAcceptingRequests() : 0.95,
                    c.getMaxActiveDownstreamConnections());
        }

        Level levelFor(double heap, double direct) {
            if (!enabled) return Level.NORMAL;
            if (heap >= heapRequests || direct >= directRequests) return Level.STOP_ACCEPTING_REQUESTS;
            if (heap >= heapConnections || direct >= directConnections) return Level.STOP_ACCEPTING_CONNECTIONS;
            return Level.NORMAL;
        }
    }

    private final MemorySampler sampler;
    private final ScheduledExecutorService thread;
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicLong connectionActivations = new AtomicLong(), requestActivations = new AtomicLong();
    private final AtomicLong collections = new AtomicLong();
    private volatile Settings settings;
    private volatile Level level = Level.NORMAL;
    private volatile MemorySampler.Sample last;
    private ScheduledFuture<?> task;
    private long lastCollectionMillis;
    private long probeEveryMillis = GC_PROBE_MILLIS;

    public OverloadMonitor(OverloadManager config, StatsStore stats) {
        this(config, stats, new MemorySampler());
    }

    OverloadMonitor(OverloadManager config, StatsStore stats, MemorySampler sampler) {
        this.sampler = sampler;
        this.settings = Settings.of(config);
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "yastack-overload");
            t.setDaemon(true);
            return t;
        });
        stats.registerComputed("overload.heap.pressure", () -> percent(last == null ? 0 : last.heapRatio()));
        stats.registerComputed("overload.direct_memory.pressure", () -> percent(last == null ? 0 : last.directRatio()));
        stats.registerComputed("overload.stop_accepting_connections.active", () -> level.compareTo(Level.STOP_ACCEPTING_CONNECTIONS) >= 0 ? 1 : 0);
        stats.registerComputed("overload.disable_http_keepalive.active", () -> level.compareTo(Level.STOP_ACCEPTING_CONNECTIONS) >= 0 ? 1 : 0);
        stats.registerComputed("overload.stop_accepting_requests.active", () -> level == Level.STOP_ACCEPTING_REQUESTS ? 1 : 0);
        stats.registerComputed("overload.stop_accepting_connections.activations", connectionActivations::get);
        stats.registerComputed("overload.stop_accepting_requests.activations", requestActivations::get);
        stats.registerComputed("overload.gc_requested", collections::get);
        stats.registerComputed("overload.downstream_cx_active", connections::get);
        sampleNow();
        schedule();
    }

    private static long percent(double ratio) {
        return Math.round(ratio * 100);
    }

    /** A reload's section: the new watermarks, interval and connection limit apply from the next sample. */
    public synchronized void configure(OverloadManager config) {
        Settings next = Settings.of(config);
        boolean newInterval = next.refreshMillis() != settings.refreshMillis();
        settings = next;
        if (newInterval) {
            task.cancel(false);
            schedule();
        }
        thread.execute(this::sampleNow);
    }

    private void schedule() {
        long every = settings.refreshMillis();
        task = thread.scheduleWithFixedDelay(this::sampleNow, every, every, TimeUnit.MILLISECONDS);
    }

    private void sampleNow() {
        try {
            MemorySampler.Sample s = sampler.sample();
            Settings cfg = settings;
            if (cfg.levelFor(s.heapRatio(), 0) != Level.NORMAL && heapFigureStale()) {
                collections.incrementAndGet();
                sampler.collect();
                s = sampler.sample();
                // Still above after a full look: the memory is live; ask less often.
                if (cfg.levelFor(s.heapRatio(), 0) != Level.NORMAL) probeEveryMillis = Math.min(GC_PROBE_MAX_MILLIS, probeEveryMillis * 2);
            }
            last = s;
            Level next = cfg.levelFor(s.heapRatio(), s.directRatio());
            if (next == Level.NORMAL) probeEveryMillis = GC_PROBE_MILLIS;
            Level before = level;
            if (next == before) return;
            level = next;
            if (next.compareTo(before) > 0) {
                if (before == Level.NORMAL) connectionActivations.incrementAndGet();
                if (next == Level.STOP_ACCEPTING_REQUESTS) requestActivations.incrementAndGet();
            }
            LOG.log(next == Level.NORMAL ? System.Logger.Level.INFO : System.Logger.Level.WARNING,
                    "overload: " + next.configName() + " (heap " + percent(s.heapRatio()) + "% after GC, direct memory "
                            + percent(s.directRatio()) + "%)");
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "overload: sampling memory failed: " + e);
        }
    }

    /** No full collection asked for lately: the heap figure may hold garbage that only a full one frees. */
    private boolean heapFigureStale() {
        long now = System.currentTimeMillis();
        if (now - lastCollectionMillis < probeEveryMillis) return false;
        lastCollectionMillis = now;
        return true;
    }

    public Level level() {
        return level;
    }

    /** New connections are let in (below the first watermark). */
    public boolean acceptingConnections() {
        return level == Level.NORMAL;
    }

    /** Responses may leave their connection open (below the first watermark). */
    public boolean keepAlive() {
        return level == Level.NORMAL;
    }

    /** New requests are served (below the second watermark). */
    public boolean acceptingRequests() {
        return level != Level.STOP_ACCEPTING_REQUESTS;
    }

    /** Counts a new client connection; false (and not counted) when the global limit is reached. */
    public boolean admitConnection() {
        int max = settings.maxConnections();
        if (max <= 0) {
            connections.incrementAndGet();
            return true;
        }
        while (true) {
            int n = connections.get();
            if (n >= max) return false;
            if (connections.compareAndSet(n, n + 1)) return true;
        }
    }

    /** A connection {@link #admitConnection} counted has closed. */
    public void releaseConnection() {
        connections.decrementAndGet();
    }

    /** What the admin API shows at {@code /overload}. */
    public Map<String, Object> report() {
        Settings cfg = settings;
        MemorySampler.Sample s = last;
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("enabled", cfg.enabled());
        out.put("level", level.configName());
        Map<String, Object> actions = new LinkedHashMap<>();
        actions.put("stop_accepting_connections", !acceptingConnections());
        actions.put("disable_http_keepalive", !keepAlive());
        actions.put("stop_accepting_requests", !acceptingRequests());
        out.put("actions", actions);
        out.put("heap", resource(s == null ? 0 : s.heapUsed(), s == null ? 0 : s.heapMax(), cfg.heapConnections(), cfg.heapRequests()));
        out.put("direct_memory", resource(s == null ? 0 : s.directUsed(), s == null ? 0 : s.directMax(),
                cfg.directConnections(), cfg.directRequests()));
        out.put("downstream_connections", Map.of("active", connections.get(), "max", cfg.maxConnections()));
        out.put("activations", Map.of("stop_accepting_connections", connectionActivations.get(),
                "stop_accepting_requests", requestActivations.get()));
        out.put("gc_requested", collections.get());
        return out;
    }

    private static Map<String, Object> resource(long used, long max, double connections, double requests) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("used_bytes", used);
        r.put("limit_bytes", max);
        r.put("pressure", max <= 0 ? 0.0 : Math.round(10_000.0 * used / max) / 10_000.0);
        r.put("stop_accepting_connections", connections);
        r.put("stop_accepting_requests", requests);
        return r;
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
