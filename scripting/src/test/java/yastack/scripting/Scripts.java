package yastack.scripting;

import java.nio.file.Path;
import java.time.Duration;
import yastack.api.PluginConfig;
import yastack.api.PluginConfigException;
import yastack.api.ClusterCalls;
import yastack.api.script.ScriptRuntime;
import yastack.api.testkit.TestContext;
import yastack.scripting.internal.FilterImpl;
import yastack.scripting.internal.RouterImpl;
import yastack.scripting.internal.SteeringImpl;

/**
 * A runtime started as the proxy starts one, through the provider, with the testkit's
 * in-memory counters and a {@link TestFileWatch}. Policies come back as their classes so
 * tests can read a script's name and generation.
 */
final class Scripts implements AutoCloseable {
    final TestContext stats = new TestContext("scripts");
    final TestFileWatch watch;
    final ScriptRuntime runtime;

    /** Calls limited to 200 ms, no clusters, files watched only when the test fires. */
    Scripts(Path dir) {
        this(dir, Duration.ofMillis(200), ClusterCalls.NONE, new TestFileWatch());
    }

    Scripts(Path dir, Duration timeLimit, ClusterCalls calls, TestFileWatch watch) {
        this.watch = watch;
        this.runtime = new JavaScriptProvider().start(new ScriptRuntime.Settings(dir, timeLimit, stats.stats()::counter, calls, watch));
    }

    /** A counter by full name ({@code script.<name>.errors}); 0 if never touched. */
    long counter(String fullName) {
        return stats.stat(fullName);
    }

    RouterImpl router(Path file) throws PluginConfigException {
        return (RouterImpl) runtime.router(file, PluginConfig.empty());
    }

    FilterImpl filter(Path file, PluginConfig config) throws PluginConfigException {
        return (FilterImpl) runtime.httpFilter(file, config);
    }

    SteeringImpl steering(Path file) throws PluginConfigException {
        return (SteeringImpl) runtime.steering(file, PluginConfig.empty());
    }

    @Override
    public void close() throws InterruptedException {
        runtime.close();
        watch.close();
    }
}
