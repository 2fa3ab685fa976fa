package yastack.scripting.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import yastack.api.HttpRequestHead;
import yastack.api.HttpStream;
import yastack.api.PluginConfig;
import yastack.api.RouteDecision;
import yastack.api.Router;
import yastack.api.ClusterCalls;
import yastack.api.script.ScriptRuntime;
import yastack.api.testkit.TestContext;
import yastack.api.testkit.TestRequest;
import yastack.api.testkit.TestStream;
import yastack.scripting.JavaScriptProvider;

/**
 * A bounded benchmark (not a test): the same routing logic as a JS router, as
 * a Java router, and a static decision, each called on one thread with a fresh
 * request per call (routers may rewrite the request). Prints calls/s.
 *
 * <p>Run: {@code java -cp <test classpath> yastack.scripting.bench.RouterBenchmark [warmupSeconds] [measureSeconds]};
 * add {@code -XX:+UnlockExperimentalVMOptions -XX:+EnableJVMCI --upgrade-module-path graal/compiler-<v>.jar}
 * for the optimizing runtime.
 */
public final class RouterBenchmark {
    static final String SCRIPT = """
            export function route(req) {
              if (req.path.startsWith('/api/')) {
                const t = req.headers['x-tenant'];
                return {cluster: t ? 'tenant-' + t : 'api', prefixRewrite: '/'};
              }
              if (req.cookies.beta === '1') return {cluster: 'beta'};
              return {cluster: 'web'};
            }
            """;

    /** The same decisions in Java. */
    static final Router JAVA = (stream, req) -> {
        String path = req.path();
        if (path.startsWith("/api/")) {
            String t = req.headers().get("x-tenant");
            int next = path.indexOf('/', 1);
            String q = req.query();
            req.setUri("/" + path.substring(next + 1) + (q.isEmpty() ? "" : "?" + q));
            return RouteDecision.toCluster(t != null ? "tenant-" + t : "api");
        }
        String cookie = req.headers().get("cookie");
        if (cookie != null) {
            for (String part : cookie.split(";")) {
                String p = part.trim();
                if (p.equals("beta=1")) return RouteDecision.toCluster("beta");
            }
        }
        return RouteDecision.toCluster("web");
    };

    static final RouteDecision STATIC_DECISION = RouteDecision.toCluster("web");
    static final Router STATIC = (stream, req) -> STATIC_DECISION;

    private static volatile Object sink;

    public static void main(String[] args) throws Exception {
        double warm = args.length > 0 ? Double.parseDouble(args[0]) : 5;
        double measure = args.length > 1 ? Double.parseDouble(args[1]) : 5;
        JavaScriptProvider provider = new JavaScriptProvider();
        System.out.println(provider.describe());
        Path dir = Files.createTempDirectory("yastack-bench");
        Files.writeString(dir.resolve("route.js"), SCRIPT);
        // Files are written once: nothing to watch.
        var settings = new ScriptRuntime.Settings(dir, Duration.ofSeconds(1), new TestContext("bench").stats()::counter,
                ClusterCalls.NONE, (name, files, onChange) -> () -> {});
        try (ScriptRuntime runtime = provider.start(settings)) {
            Router js = runtime.router(dir.resolve("route.js"), PluginConfig.empty());
            check(js);
            check(JAVA);
            Files.writeString(dir.resolve("const.js"), "export function route(req) { return {cluster: 'web'}; }\n");
            Router jsConst = runtime.router(dir.resolve("const.js"), PluginConfig.empty());
            run("static decision", STATIC, warm, measure);
            run("java router", JAVA, warm, measure);
            run("js static", jsConst, warm, measure);
            run("js router", js, warm, measure);
        }
    }

    private static void check(Router r) {
        HttpStream s = new TestStream().listener("bench");
        expect(r, s, request(0), "tenant-acme");
        expect(r, s, request(1), "beta");
        expect(r, s, request(2), "web");
    }

    private static void expect(Router r, HttpStream s, HttpRequestHead req, String cluster) {
        RouteDecision d = r.route(s, req);
        if (!(d instanceof RouteDecision.ToCluster c) || !c.cluster().equals(cluster)) {
            throw new IllegalStateException("router disagrees: " + d + " for " + req.uri());
        }
    }

    private static TestRequest request(int i) {
        return switch (i % 3) {
            case 0 -> new TestRequest("GET", "/api/users?id=" + (i & 1023)).header("host", "example.com").header("x-tenant", "acme");
            case 1 -> new TestRequest("GET", "/home").header("host", "example.com").header("cookie", "session=abc; beta=1");
            default -> new TestRequest("GET", "/home").header("host", "example.com");
        };
    }

    private static void run(String name, Router router, double warmSeconds, double measureSeconds) {
        HttpStream s = new TestStream().listener("bench");
        loop(router, s, (long) (warmSeconds * 1e9));
        long t0 = System.nanoTime();
        long n = loop(router, s, (long) (measureSeconds * 1e9));
        double secs = (System.nanoTime() - t0) / 1e9;
        System.out.printf(Locale.ROOT, "%-16s %12.0f calls/s  %8.1f ns/call%n", name, n / secs, secs * 1e9 / n);
    }

    private static long loop(Router router, HttpStream s, long nanos) {
        long end = System.nanoTime() + nanos;
        long n = 0;
        while (System.nanoTime() < end) {
            for (int i = 0; i < 1000; i++) sink = router.route(s, request(i));
            n += 1000;
        }
        return n;
    }
}
