package yastack.scripting;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import yastack.api.PluginConfig;
import yastack.api.PluginStats;
import yastack.api.script.ClusterCalls;
import yastack.api.script.FileWatch;
import yastack.scripting.internal.CounterRegistry;
import yastack.scripting.internal.FilterImpl;
import yastack.scripting.internal.HostServices;
import yastack.scripting.internal.RouterImpl;
import yastack.scripting.internal.ScriptUnit;
import yastack.scripting.internal.SteeringImpl;
import yastack.scripting.internal.StructJson;

/**
 * The JavaScript policy host: one per process. It owns the shared GraalJS
 * engine (code compiled once serves every worker's context) and the watchdog
 * that enforces the per-call time limit. Script files and the modules they
 * import are watched through the embedding process's {@link FileWatch}.
 *
 * <pre>{@code
 * ScriptHost host = ScriptHost.builder()
 *         .baseDirectory(configFile.getParent())     // scripts may import anything below it
 *         .counters(statsRegistry::counter)          // script.<name>.* counters
 *         .calls(clusterCalls)                       // for ctx.httpCall
 *         .build();
 * Router router = host.router(configDir.resolve("routes/route.js"));
 * ConfiguredHttpFilter auth = host.httpFilter(configDir.resolve("filters/auth.js"), PluginConfig.of(struct));
 * SteeringPolicy steer = host.steering(configDir.resolve("steer.js"));
 * }</pre>
 *
 * <p>The policies it returns are thread-safe like any SPI implementation:
 * every worker thread that calls them gets its own GraalJS context, created on
 * first use on that thread (or prepared by the reloader after a reload). A
 * script that throws, returns nonsense, or runs past the time limit costs one
 * 500 reply (a fallback worker for steering) and a count in
 * {@code script.<name>.errors} / {@code .timeouts}; the worker goes on.
 * Reloads count {@code script.<name>.reload_ok} and {@code .reload_failed}.
 */
public final class ScriptHost implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("yastack.script");

    private final HostServices services;
    private final CounterRegistry ownCounters;
    private final Set<ScriptUnit> units = ConcurrentHashMap.newKeySet();

    private ScriptHost(Builder b) {
        this.ownCounters = b.counters == null ? new CounterRegistry() : null;
        Function<String, PluginStats.Counter> counters = b.counters != null ? b.counters : ownCounters::counter;
        this.services = new HostServices(b.timeLimit, b.watchdogTick, counters, b.calls, b.watch, b.baseDirectory, b.httpCallTimeout, b.loadTimeLimit);
        LOG.log(System.Logger.Level.INFO, ScriptRuntime.describe());
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A router running {@code export function route(req, ctx)} of {@code file}; named after the file. */
    public ScriptRouter router(Path file) {
        return router(file, defaultName(file));
    }

    /**
     * A router running {@code file}, whose stats are {@code script.<name>.*}.
     *
     * @throws ScriptLoadException if the script does not load or fails its smoke call ({@code file:line} in the message)
     */
    public ScriptRouter router(Path file, String name) {
        RouterImpl r = new RouterImpl(services, name, resolve(file));
        track(r.unit());
        return r;
    }

    /** An HTTP filter running {@code onRequest}/{@code onResponse} of {@code file} with {@code config} as {@code ctx.config}. */
    public ScriptHttpFilter httpFilter(Path file, PluginConfig config) {
        return httpFilter(file, defaultName(file), config);
    }

    /** Like {@link #httpFilter(Path, PluginConfig)} with an explicit stats name. */
    public ScriptHttpFilter httpFilter(Path file, String name, PluginConfig config) {
        String json = config == null ? "{}" : StructJson.toJson(config.raw());
        FilterImpl f = new FilterImpl(services, name, resolve(file), json);
        track(f.unit());
        return f;
    }

    /** A steering policy running {@code export function steer(flow, workers)} of {@code file}. */
    public ScriptSteeringPolicy steering(Path file) {
        return steering(file, defaultName(file));
    }

    public ScriptSteeringPolicy steering(Path file, String name) {
        SteeringImpl s = new SteeringImpl(services, name, resolve(file));
        track(s.unit());
        return s;
    }

    private void track(ScriptUnit u) {
        units.add(u);
    }

    private Path resolve(Path file) {
        Objects.requireNonNull(file, "file");
        return (file.isAbsolute() ? file : services.baseDirectory().resolve(file)).normalize();
    }

    /** {@code routes/route.js} is named {@code route}. */
    static String defaultName(Path file) {
        String n = file.getFileName().toString();
        int dot = n.lastIndexOf('.');
        if (dot > 0) n = n.substring(0, dot);
        return n.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_.-]", "_");
    }

    /**
     * The host's own counters by full name, when no {@link Builder#counters}
     * sink was given (empty otherwise: the sink has them).
     */
    public SortedMap<String, Long> counters() {
        return ownCounters == null ? new java.util.TreeMap<>() : ownCounters.snapshot();
    }

    /** Stops watching, cancels every context and closes the engine. */
    @Override
    public void close() {
        for (ScriptUnit u : units) u.forceClose();
        units.clear();
        services.close();
    }

    /** Options of a {@link ScriptHost}. */
    public static final class Builder {
        private Duration timeLimit = Duration.ofMillis(100);
        private Duration loadTimeLimit = Duration.ofSeconds(5);
        private Duration watchdogTick = Duration.ofMillis(5);
        private Duration httpCallTimeout = Duration.ofSeconds(5);
        private Function<String, PluginStats.Counter> counters;
        private ClusterCalls calls = ClusterCalls.NONE;
        private Path baseDirectory = Path.of("");
        private FileWatch watch = (name, files, onChange) -> () -> {};

        private Builder() {}

        /** Longest a single script call may run before it is cut off (default 100 ms). */
        public Builder timeLimit(Duration d) {
            if (d.isNegative() || d.isZero()) throw new IllegalArgumentException("time limit must be positive");
            this.timeLimit = d;
            this.watchdogTick = Duration.ofNanos(Math.max(1_000_000, Math.min(watchdogTick.toNanos(), d.toNanos() / 4)));
            return this;
        }

        /**
         * Longest a module's top-level code, or the smoke call of a new version,
         * may run (default 5 s: the first load in a cold JVM is slow).
         */
        public Builder loadTimeLimit(Duration d) {
            this.loadTimeLimit = d;
            return this;
        }

        /** How script files and their imports are watched for changes (default: not at all). */
        public Builder watch(FileWatch w) {
            this.watch = Objects.requireNonNull(w, "watch");
            return this;
        }

        /** Where counters go, by full name (e.g. {@code script.auth.errors}); default: {@link ScriptHost#counters()}. */
        public Builder counters(Function<String, PluginStats.Counter> sink) {
            this.counters = sink;
            return this;
        }

        /** What serves {@code ctx.httpCall}; without one, httpCall rejects. */
        public Builder calls(ClusterCalls calls) {
            this.calls = Objects.requireNonNull(calls, "calls");
            return this;
        }

        /** Timeout of an httpCall that names none (default 5 s). */
        public Builder httpCallTimeout(Duration d) {
            this.httpCallTimeout = d;
            return this;
        }

        /**
         * The directory relative script paths are resolved against (the config
         * file's directory); scripts below it may import any module below it.
         */
        public Builder baseDirectory(Path dir) {
            this.baseDirectory = dir;
            return this;
        }

        public ScriptHost build() {
            return new ScriptHost(this);
        }
    }
}
