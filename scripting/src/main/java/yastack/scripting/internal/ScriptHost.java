package yastack.scripting.internal;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Supplier;
import yastack.api.ConfiguredHttpFilter;
import yastack.api.PluginConfig;
import yastack.api.PluginConfigException;
import yastack.api.Router;
import yastack.api.SteeringPolicy;
import yastack.api.script.ScriptRuntime;

/**
 * The JavaScript runtime of one process. It owns the shared GraalJS engine
 * (code compiled once serves every worker's context) and the watchdog that
 * enforces the per-call time limit; everything else comes from the host's
 * {@link ScriptRuntime.Settings}: where counters go, what serves
 * {@code ctx.httpCall}, and how script files and their imports are watched.
 *
 * <p>The policies it returns are thread-safe like any SPI implementation:
 * every worker thread that calls them gets its own GraalJS context, created on
 * first use on that thread (or prepared by a reload). A script that throws,
 * returns nonsense, or runs past the time limit costs one 500 reply (a
 * fallback worker for steering) and a count in {@code script.<name>.errors} /
 * {@code .timeouts}; the worker goes on. Reloads count
 * {@code script.<name>.reload_ok} and {@code .reload_failed}.
 */
public final class ScriptHost implements ScriptRuntime {
    private static final System.Logger LOG = System.getLogger("yastack.script");
    /** A module's top level and a new version's smoke call run cold, so they get longer than a call. */
    private static final Duration LOAD_TIME_LIMIT = Duration.ofSeconds(5);
    /** The timeout of an httpCall that names none. */
    private static final Duration HTTP_CALL_TIMEOUT = Duration.ofSeconds(5);

    private final HostServices services;

    public ScriptHost(Settings settings) {
        Duration limit = settings.timeLimit();
        if (limit.isNegative() || limit.isZero()) throw new IllegalArgumentException("time limit must be positive");
        // A runaway call ends within about limit + tick: a quarter of the limit, 1 to 5 ms.
        Duration tick = Duration.ofNanos(Math.max(1_000_000, Math.min(5_000_000, limit.toNanos() / 4)));
        this.services = new HostServices(limit, tick, settings.counters(), settings.calls(), settings.watch(),
                settings.baseDirectory(), HTTP_CALL_TIMEOUT, LOAD_TIME_LIMIT);
        LOG.log(System.Logger.Level.INFO, GraalInfo.describe());
    }

    /** Runs {@code onRequest}/{@code onResponse} of {@code file} with {@code config} as {@code ctx.config}. */
    @Override
    public ConfiguredHttpFilter httpFilter(Path file, PluginConfig config) throws PluginConfigException {
        Path f = resolve(file);
        return load(() -> new FilterImpl(services, defaultName(f), f, json(config)));
    }

    /** Runs {@code export function route(req, ctx)} of {@code file}. */
    @Override
    public Router router(Path file, PluginConfig config) throws PluginConfigException {
        Path f = resolve(file);
        return load(() -> new RouterImpl(services, defaultName(f), f, json(config)));
    }

    /** Runs {@code export function steer(flow, workers)} of {@code file} for each new flow. */
    @Override
    public SteeringPolicy steering(Path file, PluginConfig config) throws PluginConfigException {
        Path f = resolve(file);
        return load(() -> new SteeringImpl(services, defaultName(f), f, json(config)));
    }

    private static <T> T load(Supplier<T> make) throws PluginConfigException {
        try {
            return make.get();
        } catch (ScriptLoadException e) {
            throw new PluginConfigException(e.getMessage(), e);
        }
    }

    private static String json(PluginConfig config) {
        return config == null ? "{}" : StructJson.toJson(config.raw());
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

    /** Stops watching, cancels every context and closes the engine. */
    @Override
    public void close() {
        for (ScriptUnit u : services.units) u.forceClose();
        services.units.clear();
        services.close();
    }
}
