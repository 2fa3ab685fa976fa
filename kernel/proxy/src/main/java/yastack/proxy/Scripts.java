package yastack.proxy;

import com.google.protobuf.Struct;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.function.Supplier;
import yastack.api.ConfiguredHttpFilter;
import yastack.api.PluginConfig;
import yastack.api.PluginConfigException;
import yastack.api.Router;
import yastack.api.SteeringPolicy;
import yastack.api.script.FileWatch;
import yastack.api.script.ScriptRuntime;
import yastack.api.script.ScriptRuntimeProvider;
import yastack.kernel.plugin.PluginStatsRegistry;
import yastack.kernel.util.FileWatcher;
import yastack.proxy.cluster.ClusterRuntime;

/**
 * Policies written as scripts ({@code script:} in the config), from the script runtime a
 * provider offers ({@code yastack.scripting}'s JavaScript, found with ServiceLoader). The
 * runtime starts on first use, so a config without scripts never loads GraalJS; without a
 * provider, a config naming a script is refused with a message saying so.
 */
public final class Scripts implements AutoCloseable {
    /** The longest a script call may run: a guard against runaway scripts, not a latency target
     *  (a first call in the interpreter on a loaded machine can take tens of milliseconds). */
    private static final Duration TIME_LIMIT = Duration.ofSeconds(1);

    private final Path baseDir;
    private final PluginStatsRegistry stats;
    private final Supplier<Map<String, ClusterRuntime>> clusters;
    private ScriptRuntime runtime;

    Scripts(Path baseDir, PluginStatsRegistry stats, Supplier<Map<String, ClusterRuntime>> clusters) {
        this.baseDir = baseDir;
        this.stats = stats;
        this.clusters = clusters;
    }

    /** The installed script runtime, if any. */
    static Optional<ScriptRuntimeProvider> provider() {
        return ServiceLoader.load(ScriptRuntimeProvider.class, Scripts.class.getClassLoader()).findFirst();
    }

    /** One line for {@code yastack version}: the runtime and whether it is compiled, or that there is none. */
    public static String describe() {
        return provider().map(ScriptRuntimeProvider::describe).orElse("javascript: not installed (no yastack.scripting module)");
    }

    ConfiguredHttpFilter filter(String script, Struct config, String fieldPath) throws PluginConfigException {
        PluginConfig c = PluginConfig.of(config, fieldPath + ".config");
        try {
            return runtime(fieldPath).httpFilter(Path.of(script), c);
        } catch (PluginConfigException e) {
            throw at(fieldPath, e);
        }
    }

    Router router(String script, Struct config, String fieldPath) throws PluginConfigException {
        PluginConfig c = PluginConfig.of(config, fieldPath + ".config");
        try {
            return runtime(fieldPath).router(Path.of(script), c);
        } catch (PluginConfigException e) {
            throw at(fieldPath, e);
        }
    }

    SteeringPolicy steering(String script) {
        try {
            return runtime("stack.rss.steering").steering(Path.of(script), PluginConfig.empty());
        } catch (PluginConfigException e) {
            throw new IllegalStateException(at("stack.rss.steering", e).getMessage(), e);
        }
    }

    /** The runtime's message (file:line:col and what is wrong) under the config field that named the script. */
    private static PluginConfigException at(String fieldPath, PluginConfigException e) {
        String field = fieldPath + ".script";
        return e.getMessage() != null && e.getMessage().startsWith(field) ? e : new PluginConfigException(field + ": " + e.getMessage(), e);
    }

    private synchronized ScriptRuntime runtime(String fieldPath) throws PluginConfigException {
        if (runtime != null) return runtime;
        ScriptRuntimeProvider p = provider().orElseThrow(() -> new PluginConfigException(fieldPath
                + ".script: no script runtime in this process (the yastack.scripting module is not on the module path:"
                + " bin/yastack adds lib/js when the config it starts with names a script or a control plane, or with YASTACK_JS=interpreted"
                + " or optimized; a reload cannot add it, restart)"));
        runtime = p.start(new ScriptRuntime.Settings(baseDir, TIME_LIMIT, stats::counter, new HttpClusterCalls(clusters), WATCH));
        return runtime;
    }

    /** Script files are watched as the config is: the kernel's watcher (renames and symlink swaps included). */
    private static final FileWatch WATCH = (name, files, onChange) -> {
        FileWatcher w = FileWatcher.start("script-" + name, List.copyOf(files), onChange);
        return w == null ? () -> { } : w;
    };

    @Override
    public synchronized void close() {
        if (runtime != null) runtime.close();
    }
}
