package yastack.scripting.internal;

import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.graalvm.polyglot.Engine;
import org.graalvm.polyglot.SandboxPolicy;
import yastack.api.PluginStats;
import yastack.api.ClusterCalls;
import yastack.api.script.FileWatch;
import yastack.api.script.ScriptRuntime.CounterSink;

/**
 * What every script of one {@code ScriptHost} shares: the GraalJS engine
 * (compiled code is shared by all contexts on it), the watchdog, the stats
 * sink, what serves {@code ctx.httpCall}, how files are watched, and the limits.
 */
public final class HostServices implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("yastack.script");

    final Engine engine;
    final Watchdog watchdog;
    final Duration timeLimit;
    /** Limit for a module's top-level code and the smoke calls of a new version (cold code runs slowly). */
    final Duration loadTimeLimit;
    final CounterSink counters;
    final ClusterCalls calls;
    final FileWatch watch;
    final Path baseDirectory;
    final ScriptErrors errors = new ScriptErrors();
    final Duration httpCallTimeout;
    /** Every script loaded and not closed yet: what closing the host must cancel. */
    final Set<ScriptUnit> units = ConcurrentHashMap.newKeySet();

    public HostServices(Duration timeLimit, Duration watchdogTick, CounterSink counters,
                        ClusterCalls calls, FileWatch watch, Path baseDirectory, Duration httpCallTimeout, Duration loadTimeLimit) {
        this.timeLimit = Objects.requireNonNull(timeLimit);
        this.loadTimeLimit = loadTimeLimit;
        this.counters = Objects.requireNonNull(counters);
        this.calls = Objects.requireNonNull(calls);
        this.watch = Objects.requireNonNull(watch);
        this.baseDirectory = baseDirectory.toAbsolutePath().normalize();
        this.httpCallTimeout = httpCallTimeout;
        OutputStream out = new LogStream(LOG, System.Logger.Level.INFO);
        OutputStream err = new LogStream(LOG, System.Logger.Level.WARNING);
        this.engine = Engine.newBuilder("js")
                .sandbox(SandboxPolicy.CONSTRAINED)
                .out(out)
                .err(err)
                // We say once ourselves whether the optimizing runtime is on (GraalInfo).
                .option("engine.WarnInterpreterOnly", "false")
                .build();
        this.watchdog = new Watchdog(watchdogTick, Duration.ofMillis(500));
    }

    public Engine engine() {
        return engine;
    }

    public Path baseDirectory() {
        return baseDirectory;
    }

    PluginStats.Counter counter(String fullName) {
        return counters.counter(fullName);
    }

    @Override
    public void close() {
        watchdog.close();
        engine.close(true);
    }
}
