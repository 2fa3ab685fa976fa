package yastack.scripting;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import yastack.api.PluginConfig;
import yastack.api.PluginConfigException;
import yastack.api.RouteDecision;
import yastack.api.Router;
import yastack.api.ClusterCalls;
import yastack.api.script.FileWatch;
import yastack.api.script.ScriptRuntime;
import yastack.api.script.ScriptRuntimeProvider;
import yastack.api.testkit.TestContext;

/** The proxy's view: a provider found by ServiceLoader, a runtime from Settings, nothing of this module named. */
class ProviderTest {
    @TempDir
    Path dir;

    private static ScriptRuntimeProvider javascript() {
        List<ScriptRuntimeProvider> found = ServiceLoader.load(ScriptRuntimeProvider.class).stream()
                .map(ServiceLoader.Provider::get).toList();
        assertEquals(1, found.size(), found.toString());
        return found.get(0);
    }

    @Test
    void serviceLoaderFindsTheJavaScriptProvider() {
        ScriptRuntimeProvider p = javascript();
        assertInstanceOf(JavaScriptProvider.class, p);
        assertTrue(p.describe().startsWith("javascript: GraalJS "), p.describe());
    }

    @Test
    void aRouterLoadedThroughTheSpiRoutesWithItsConfig() throws Exception {
        TestContext stats = new TestContext("scripts");
        TestFileWatch watch = new TestFileWatch();
        Fixtures.write(dir, "routes/pick.js", """
                export function route(req, ctx) {
                  ctx.counter('routed').inc();
                  return req.path.startsWith('/api/') ? {cluster: ctx.config.api, prefixRewrite: '/'} : {cluster: 'web'};
                }
                """);
        var settings = new ScriptRuntime.Settings(dir, Duration.ofMillis(200), stats.stats()::counter, ClusterCalls.NONE, watch);
        try (ScriptRuntime runtime = javascript().start(settings)) {
            PluginConfig config = PluginConfig.of(Struct.newBuilder()
                    .putFields("api", Value.newBuilder().setStringValue("api-v2").build()).build());
            Router r = runtime.router(Path.of("routes/pick.js"), config);
            var req = Fixtures.get("/api/users");
            var d = assertInstanceOf(RouteDecision.ToCluster.class, r.route(Fixtures.stream(), req));
            assertEquals("api-v2", d.cluster());
            assertEquals("/users", req.uri());
            assertEquals("web", ((RouteDecision.ToCluster) r.route(Fixtures.stream(), Fixtures.get("/"))).cluster());
            assertEquals(2, stats.stat("script.pick.routed"), "counters reach the host's sink by full name");
            assertEquals(List.of(dir.resolve("routes/pick.js")), watch.files("script pick"), "the host watches the file");
        }
        assertEquals(List.of(), watch.open("script pick"), "closing the runtime stops watching");
    }

    @Test
    void aScriptServesEvenWhenTheHostCannotWatchItsFiles() throws Exception {
        Fixtures.write(dir, "r.js", "export function route() { return {cluster: 'c'}; }\n");
        FileWatch refuses = (name, files, onChange) -> {
            throw new IllegalStateException("no inotify instances left");
        };
        var settings = new ScriptRuntime.Settings(dir, Duration.ofMillis(200), new TestContext("s").stats()::counter,
                ClusterCalls.NONE, refuses);
        try (ScriptRuntime runtime = javascript().start(settings)) {
            Router r = runtime.router(Path.of("r.js"), PluginConfig.empty());
            assertEquals("c", ((RouteDecision.ToCluster) r.route(Fixtures.stream(), Fixtures.get("/"))).cluster());
        }
    }

    @Test
    void aBrokenScriptIsAConfigErrorNamingFileAndLine() {
        Fixtures.write(dir, "bad.js", "export function route(req) {\n  return {cluster: };\n}\n");
        var settings = new ScriptRuntime.Settings(dir, Duration.ofMillis(200), new TestContext("s").stats()::counter,
                ClusterCalls.NONE, new TestFileWatch());
        try (ScriptRuntime runtime = javascript().start(settings)) {
            PluginConfigException e = assertThrows(PluginConfigException.class, () -> runtime.router(Path.of("bad.js"), PluginConfig.empty()));
            assertTrue(e.getMessage().startsWith("bad.js:2"), e.getMessage());
            assertThrows(PluginConfigException.class, () -> runtime.httpFilter(Path.of("bad.js"), PluginConfig.empty()));
            assertThrows(PluginConfigException.class, () -> runtime.steering(Path.of("missing.js"), PluginConfig.empty()));
        }
    }
}
