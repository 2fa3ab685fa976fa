package yastack.api.script;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import yastack.api.ClusterCalls;
import yastack.api.ConfiguredHttpFilter;
import yastack.api.PluginConfig;
import yastack.api.PluginConfigException;
import yastack.api.PluginStats;
import yastack.api.Router;
import yastack.api.SteeringPolicy;

/**
 * Policies written as scripts: HTTP filters, routers and RSS steering policies, each made
 * from a file and reloaded when it (or a file it imports) changes. The policies it returns
 * are thread-safe like any plugin's; a script that throws, returns nonsense or runs too long
 * is contained (a 500 reply, a fallback worker) and counted, never fatal.
 */
public interface ScriptRuntime extends AutoCloseable {
    /**
     * A filter running {@code file} with {@code config} (its {@code ctx.config}).
     *
     * @throws PluginConfigException when the script does not load, naming {@code file:line}
     */
    ConfiguredHttpFilter httpFilter(Path file, PluginConfig config) throws PluginConfigException;

    /** A router running {@code file}. */
    Router router(Path file, PluginConfig config) throws PluginConfigException;

    /** An RSS steering policy running {@code file}. */
    SteeringPolicy steering(Path file, PluginConfig config) throws PluginConfigException;

    /** Stops watching files and closes every script's contexts. */
    @Override
    void close();

    /**
     * What the host gives a runtime.
     *
     * @param baseDirectory relative script paths resolve against it (the config file's directory)
     * @param timeLimit the longest a script call may run before it is cut off
     * @param counters where the runtime's counters go, by full name ({@code script.<name>.errors})
     * @param calls what serves a script's calls to a cluster ({@code ctx.httpCall})
     * @param watch how script files are watched for changes
     */
    record Settings(Path baseDirectory, Duration timeLimit, CounterSink counters, ClusterCalls calls, FileWatch watch) {
        public Settings {
            Objects.requireNonNull(baseDirectory, "baseDirectory");
            Objects.requireNonNull(timeLimit, "timeLimit");
            Objects.requireNonNull(counters, "counters");
            Objects.requireNonNull(calls, "calls");
            Objects.requireNonNull(watch, "watch");
        }
    }

    /** A counter by its full name, e.g. {@code script.auth.errors}. */
    @FunctionalInterface
    interface CounterSink {
        PluginStats.Counter counter(String fullName);
    }
}
