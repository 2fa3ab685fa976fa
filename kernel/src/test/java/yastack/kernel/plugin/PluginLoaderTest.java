package yastack.kernel.plugin;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import java.lang.module.ModuleFinder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import yastack.api.ConfiguredHttpFilter;
import yastack.api.FilterResult;
import yastack.api.LoadBalancer;
import yastack.api.LocalReply;
import yastack.api.PluginConfigException;
import yastack.api.PluginFactory;
import yastack.api.RouteDecision;
import yastack.api.Router;
import yastack.api.testkit.TestHosts;
import yastack.api.testkit.TestLbContext;
import yastack.api.testkit.TestRequest;
import yastack.api.testkit.TestStream;
import yastack.kernel.fixtures.PluginSources;
import yastack.kernel.fixtures.TestJars;

/**
 * Builds a plugin directory of real jars (compiled here) and loads it over a
 * layer holding yastack.api, the way {@code yastack run --plugins DIR} does.
 */
class PluginLoaderTest {
    @TempDir
    static Path tmp;

    static Path dir;
    static PluginRegistry registry;

    @BeforeAll
    static void buildPluginDirectory() throws Exception {
        Path build = Files.createDirectories(tmp.resolve("build"));
        TestJars.workRoot = build;
        dir = Files.createDirectories(tmp.resolve("plugins"));
        List<Path> api = TestJars.apiModulePath();
        List<Path> apiCp = api;

        TestJars.build(dir.resolve("deny-filter.jar"), PluginSources.denyAndDelay(), Map.of(), api, "1.2.3");
        TestJars.build(dir.resolve("header-router-0.9.jar"), PluginSources.headerRouter(), PluginSources.headerRouterServices(), apiCp, null);
        TestJars.build(dir.resolve("lb.jar"), PluginSources.leastActive(), Map.of(), api, "3.0");
        TestJars.build(dir.resolve("boom.jar"), PluginSources.boom(), Map.of(), api, null);

        // Two plugins, each with its own version of the same library, side by side.
        for (String[] p : new String[][] {{"alpha", "hello from 1.0", "1.0"}, {"beta", "hello from 2.0", "2.0"}}) {
            Path unit = Files.createDirectories(dir.resolve(p[0]));
            Path lib = TestJars.build(unit.resolve("greeting-" + p[2] + ".jar"), PluginSources.greeting(p[1]), Map.of(), List.of(), p[2]);
            List<Path> mp = new ArrayList<>(api);
            mp.add(lib);
            TestJars.build(unit.resolve(p[0] + ".jar"), PluginSources.greetingFilter(p[0]), Map.of(), mp, null);
        }

        // Bad plugins: each must become a problem and leave the others alone.
        Files.writeString(dir.resolve("not-a-jar.jar"), "this is text, not a zip\n");
        Path absent = TestJars.build(build.resolve("absent.jar"), PluginSources.absent(), Map.of(), List.of(), null);
        Path needy = Files.createDirectories(dir.resolve("needy"));
        List<Path> mp = new ArrayList<>(api);
        mp.add(absent);
        TestJars.build(needy.resolve("needy.jar"), PluginSources.needsAbsent(), Map.of(), mp, null);
        TestJars.build(dir.resolve("zz-dup-deny.jar"), PluginSources.namedFilter("test.dupdeny", "deny"), Map.of(), api, null);
        TestJars.build(dir.resolve("fragile.jar"), PluginSources.throwsAtStart(), Map.of(), api, null);
        byte[] apiClass;
        try (var in = PluginFactory.class.getResourceAsStream("PluginFactory.class")) {
            apiClass = in.readAllBytes();
        }
        TestJars.rawJar(dir.resolve("fat.jar"), Map.of(
                "yastack/api/PluginFactory.class", apiClass,
                PluginSources.SERVICES + "yastack.api.HttpFilterFactory", "fat.F\n".getBytes(StandardCharsets.UTF_8)));
        Files.createDirectories(dir.resolve("empty"));
        TestJars.build(dir.resolve("lonely.jar"), PluginSources.providesNothing(), Map.of(), List.of(), null);
        Files.writeString(dir.resolve("README.txt"), "not a plugin, ignored\n");

        // A plugin compiled against the kernel itself, trying to reach it at run time.
        List<Path> withKernel = new ArrayList<>(api);
        withKernel.add(TestJars.locationOf(PluginLoader.class));
        TestJars.build(dir.resolve("peek.jar"), PluginSources.kernelPeek(), PluginSources.kernelPeekServices(), withKernel, null);

        registry = PluginLoader.load(dir, ApiLayer.get());
    }

    private static Struct struct(Map<String, Value> fields) {
        return Struct.newBuilder().putAllFields(fields).build();
    }

    private static Value str(String s) {
        return Value.newBuilder().setStringValue(s).build();
    }

    private static String problemFor(String fileName) {
        return registry.problems().stream()
                .filter(p -> Path.of(p.location()).getFileName().toString().equals(fileName))
                .map(PluginProblem::message).findFirst()
                .orElseThrow(() -> new AssertionError("no problem reported for " + fileName + "; problems: " + registry.problems()));
    }

    @Test
    void listsEveryGoodPluginWithKindModuleVersionAndJar() {
        Map<String, PluginInfo> byName = new HashMap<>();
        for (PluginInfo p : fromLayers(registry)) byName.put(p.name(), p);
        assertEquals(List.of("alpha", "beta", "boom", "delay", "deny", "header-router", "least-active", "peek-direct", "peek-reflect"),
                byName.keySet().stream().sorted().toList());

        PluginInfo deny = byName.get("deny");
        assertEquals(PluginKind.FILTER, deny.kind());
        assertEquals("test.deny", deny.module());
        assertEquals("1.2.3", deny.version());
        assertEquals(dir.resolve("deny-filter.jar").toString(), deny.location());
        assertEquals("403 when a header is present", deny.description());

        PluginInfo router = byName.get("header-router");
        assertEquals(PluginKind.ROUTER, router.kind());
        assertEquals("header.router", router.module(), "a plain jar becomes an automatic module named after the file");
        assertEquals("0.9", router.version());
        assertEquals(PluginKind.LB, byName.get("least-active").kind());
        assertEquals(dir.resolve("alpha").resolve("alpha.jar").toString(), byName.get("alpha").location());
    }

    @Test
    void reportsEveryBadPluginClearly() {
        assertTrue(problemFor("not-a-jar.jar").startsWith("not a jar file"), problemFor("not-a-jar.jar"));
        assertTrue(problemFor("needy").contains("cannot resolve") && problemFor("needy").contains("org.absent"), problemFor("needy"));
        String dup = problemFor("zz-dup-deny.jar");
        assertTrue(dup.contains("duplicate filter plugin name 'deny'") && dup.contains("test.deny"), dup);
        String fragile = problemFor("fragile.jar");
        assertTrue(fragile.contains("failed to start") && fragile.contains("cannot find my license file"), fragile);
        assertTrue(problemFor("fat.jar").contains("bundles its own copy of yastack.api"), problemFor("fat.jar"));
        assertTrue(problemFor("empty").contains("no .jar"), problemFor("empty"));
        assertTrue(problemFor("lonely.jar").contains("provides no yastack plugin"), problemFor("lonely.jar"));
        assertEquals(7, registry.problems().size(), registry.problems().toString());
    }

    /** Runs request-header filtering of {@code filter} as the proxy would, with the api's in-memory stream. */
    private static FilterResult onRequestHeaders(ConfiguredHttpFilter filter, TestStream stream, TestRequest request) {
        return filter.newStreamFilter(stream).onRequestHeaders(stream, request);
    }

    @Test
    void filterThatStopsAndResponds() throws Exception {
        Struct cfg = struct(Map.of("header", str("x-block")));
        ConfiguredHttpFilter deny = registry.createFilter("deny", cfg, "listeners[0].http.filters[0]");
        FilterResult r = onRequestHeaders(deny, new TestStream(), new TestRequest("GET", "/").header("X-Block", "yes"));
        LocalReply reply = assertInstanceOf(FilterResult.Respond.class, r).reply();
        assertEquals(403, reply.status());
        assertEquals("denied by deny\n", reply.body());
        assertEquals(1L, registry.stats().snapshot().get("plugin.deny.denied"));

        PluginConfigException bad = assertThrows(PluginConfigException.class,
                () -> registry.createFilter("deny", struct(Map.of("headr", str("x"))), "listeners[0].http.filters[0]"));
        assertTrue(bad.getMessage().startsWith("listeners[0].http.filters[0].config.headr: unknown field"), bad.getMessage());
    }

    @Test
    void asyncFilterResumesFromTheWorkerTimer() throws Exception {
        ConfiguredHttpFilter delay = registry.createFilter("delay", struct(Map.of("delay", str("20ms"))), "f");
        TestStream stream = new TestStream();
        TestRequest req = new TestRequest("GET", "/slow");
        var pending = assertInstanceOf(FilterResult.Async.class, onRequestHeaders(delay, stream, req)).stage().toCompletableFuture();
        assertFalse(pending.isDone());
        stream.testWorker().advance(Duration.ofMillis(19));
        assertFalse(pending.isDone());
        stream.testWorker().advance(Duration.ofMillis(1));
        assertEquals(FilterResult.proceed(), pending.getNow(null));
        assertEquals("20ms", req.headers().get("x-delayed"));
    }

    @Test
    void twoPluginsUseTwoVersionsOfOneLibrary() throws Exception {
        TestStream stream = new TestStream();
        TestRequest req = new TestRequest("GET", "/");
        onRequestHeaders(registry.createFilter("alpha", null, "a"), stream, req);
        onRequestHeaders(registry.createFilter("beta", null, "b"), stream, req);
        assertEquals(List.of("hello from 1.0", "hello from 2.0"), req.headers().getAll("x-greeting"));
    }

    @Test
    void routerPluginChoosesClusterAndRewrites() throws Exception {
        Struct cfg = struct(Map.of("default_cluster", str("web"),
                "prefixes", Value.newBuilder().setStructValue(struct(Map.of("/api/", str("api")))).build()));
        Router router = registry.createRouter("header-router", cfg, "listeners[0].http.router");
        TestStream s = new TestStream();
        TestRequest api = new TestRequest("GET", "/api/users?id=1");
        assertEquals(RouteDecision.toCluster("api"), router.route(s, api));
        assertEquals("/users?id=1", api.uri());
        assertEquals(RouteDecision.toCluster("canary").withRouteName("by-header"),
                router.route(s, new TestRequest("GET", "/").header("x-cluster", "canary")));
        assertEquals(RouteDecision.toCluster("web"), router.route(s, new TestRequest("GET", "/index.html")));
        RouteDecision none = router.route(s, new TestRequest("GET", "/nowhere"));
        assertEquals(RouteDecision.noRoute(), none);

        PluginConfigException missing = assertThrows(PluginConfigException.class,
                () -> registry.createRouter("header-router", Struct.getDefaultInstance(), "listeners[1].http.router"));
        assertEquals("listeners[1].http.router.config.default_cluster: required field is missing", missing.getMessage());
    }

    @Test
    void loadBalancerPluginPicksFromUsableEndpoints() throws Exception {
        LoadBalancer lb = registry.createLoadBalancer("least-active", null, "clusters[0].lb_policy");
        TestHosts hosts = new TestHosts();
        hosts.add("10.0.0.1", 80).active(5);
        hosts.add("10.0.0.2", 80).active(2);
        hosts.add("10.0.0.3", 80).active(9);
        assertEquals(1, lb.choose(hosts, new TestLbContext()));
        hosts.host(1).usable(false);
        assertEquals(0, lb.choose(hosts, new TestLbContext()));
    }

    @Test
    void filterThrowingAtRunTimeIsCreatedAndThrowsOnlyWhenCalled() throws Exception {
        // Containing the throw (500, plugin.<name>.errors) is the filter chain's job: FilterChainTest.
        ConfiguredHttpFilter boom = registry.createFilter("boom", null, "f");
        assertThrows(RuntimeException.class, () -> onRequestHeaders(boom, new TestStream(), new TestRequest("GET", "/")));
    }

    @Test
    void pluginCannotReachKernelPackages() throws Exception {
        TestRequest req = new TestRequest("GET", "/");
        onRequestHeaders(registry.createFilter("peek-reflect", null, "f"), new TestStream(), req);
        assertEquals("not visible", req.headers().get("x-peek"));

        PluginConfigException e = assertThrows(PluginConfigException.class, () -> registry.createFilter("peek-direct", null, "listeners[0].http.filters[3]"));
        assertTrue(e.getMessage().contains("threw while being created") && e.getCause() instanceof LinkageError, e.getMessage());
    }

    @Test
    void unknownPluginNamesTheKnownOnes() {
        PluginConfigException e = assertThrows(PluginConfigException.class,
                () -> registry.createFilter("ratelimit", null, "listeners[0].http.filters[1]"));
        assertTrue(e.getMessage().startsWith("listeners[0].http.filters[1]: no filter plugin named 'ratelimit'; known: alpha, beta, boom"),
                e.getMessage());
    }

    /**
     * The plugins of module layers: those this test builds, without the built-ins that sit as
     * plain jars on the test class path (the steering policies), which the loader finds too.
     */
    private static List<PluginInfo> fromLayers(PluginRegistry r) {
        return r.plugins().stream().filter(p -> !p.module().equals("(unnamed)")).toList();
    }

    @Test
    void missingDirectoryIsAProblemNotACrash() {
        PluginRegistry r = PluginLoader.load(tmp.resolve("nope"), ApiLayer.get());
        assertTrue(fromLayers(r).isEmpty());
        assertTrue(r.problems().getFirst().message().contains("does not exist"));
    }

    @Test
    void registersBuiltInsOfTheHostLayerAndKeepsTheirNames() throws Exception {
        // The host layer here holds a built-in "builtin-auth" next to yastack.api, as lib/ does in the distribution.
        Path builtinJar = TestJars.build(tmp.resolve("host/builtin-auth.jar"), PluginSources.namedFilter("host.auth", "builtin-auth"),
                Map.of(), TestJars.apiModulePath(), "0.1.0");
        ModuleLayer api = ApiLayer.get();
        var cf = api.configuration().resolveAndBind(ModuleFinder.of(builtinJar), ModuleFinder.of(),
                Set.of("host.auth"));
        ModuleLayer.Controller c = ModuleLayer.defineModulesWithOneLoader(cf, List.of(api), ClassLoader.getPlatformClassLoader());
        c.layer().modules().forEach(m -> c.addReads(m, PluginFactory.class.getModule()));
        ModuleLayer host = c.layer();

        Path other = Files.createDirectories(tmp.resolve("other-plugins"));
        TestJars.build(other.resolve("impostor.jar"), PluginSources.namedFilter("test.impostor", "builtin-auth"), Map.of(),
                TestJars.apiModulePath(), null);
        TestJars.build(other.resolve("extra.jar"), PluginSources.namedFilter("test.extra", "extra"), Map.of(), TestJars.apiModulePath(), null);
        PluginRegistry r = PluginLoader.load(other, host);

        PluginInfo builtin = r.find(PluginKind.FILTER, "builtin-auth").orElseThrow();
        assertTrue(builtin.builtIn());
        assertEquals("host.auth", builtin.module());
        assertEquals("0.1.0", builtin.version());
        assertTrue(r.find(PluginKind.FILTER, "extra").isPresent());
        assertEquals(1, r.problems().size(), r.problems().toString());
        assertTrue(r.problems().getFirst().message().startsWith("duplicate filter plugin name 'builtin-auth': test.impostor.F in module "
                + "test.impostor is ignored; 'builtin-auth' is already provided by module host.auth"), r.problems().toString());
        assertEquals(List.of("builtin-auth", "extra"), fromLayers(r).stream().map(PluginInfo::name).toList());
    }

    @Test
    void hostWithoutApiModuleIsExplained() {
        PluginRegistry r = PluginLoader.load(dir, ModuleLayer.boot());
        assertTrue(r.problems().getFirst().message().contains("no yastack.api module"), r.problems().toString());
    }
}
