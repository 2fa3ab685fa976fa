package yastack.scripting;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import yastack.api.ConfiguredHttpFilter;
import yastack.api.FilterResult;
import yastack.api.FlowKey;
import yastack.api.HttpFilter;
import yastack.api.HttpStream;
import yastack.api.PluginConfig;
import yastack.api.RouteDecision;
import yastack.api.Router;
import yastack.api.SteeringPolicy;
import yastack.api.ClusterCalls;
import yastack.api.testkit.TestRequest;
import yastack.api.testkit.TestResponse;
import yastack.api.testkit.TestStream;
import yastack.api.testkit.TestWorkerSet;

/** The scripts shipped in the distribution's examples/ load and do what their comments say. */
class ExampleScriptsTest {
    static final Path EXAMPLES = Path.of("../distribution/src/dist/examples/scripts").toAbsolutePath().normalize();

    @Test
    void examplesExist() {
        assertTrue(Files.isRegularFile(EXAMPLES.resolve("routes/route.js")), EXAMPLES.toString());
        assertTrue(Files.isRegularFile(EXAMPLES.resolve("../../types/yastack.d.ts")));
    }

    @Test
    void exampleRouter() throws Exception {
        try (Scripts scripts = new Scripts(EXAMPLES)) {
            Router r = scripts.runtime.router(Path.of("routes/route.js"), PluginConfig.empty());
            HttpStream local = Fixtures.stream().remote("127.0.0.1", 40000);
            TestRequest api = Fixtures.get("/api/users?x=1", "cookie", "canary=1");
            var d = assertInstanceOf(RouteDecision.ToCluster.class, r.route(local, api));
            assertEquals("api-canary", d.cluster());
            assertEquals("/users?x=1", api.uri());
            assertEquals("1", api.headers().get("x-canary"));
            assertEquals("admin", ((RouteDecision.ToCluster) r.route(local, Fixtures.get("/admin"))).cluster());
            assertEquals("web", ((RouteDecision.ToCluster) r.route(local, Fixtures.get("/apix"))).cluster());
            assertEquals(301, ((RouteDecision.Respond) r.route(local, Fixtures.get("/old-home"))).reply().status());
        }
    }

    @Test
    void exampleFilters() throws Exception {
        CompletableFuture<ClusterCalls.Response> verdict = CompletableFuture.completedFuture(
                new ClusterCalls.Response(200, Map.of("X-User", "carol"), ""));
        ClusterCalls calls = (cluster, req, worker) -> {
            assertEquals("auth", cluster);
            assertEquals("/verify", req.path());
            return verdict;
        };
        try (Scripts scripts = new Scripts(EXAMPLES, Duration.ofMillis(200), calls, new TestFileWatch())) {
            Struct hide = Struct.newBuilder().putFields("hide", Value.newBuilder().setListValue(ListValue.newBuilder()
                    .addValues(Value.newBuilder().setStringValue("server"))).build()).build();
            ConfiguredHttpFilter headers = scripts.runtime.httpFilter(Path.of("filters/headers.js"), PluginConfig.of(hide));
            ConfiguredHttpFilter auth = scripts.runtime.httpFilter(Path.of("filters/auth.js"), PluginConfig.empty());
            TestStream stream = Fixtures.stream();

            TestRequest req = Fixtures.get("/orders", "authorization", "Bearer t");
            TestResponse res = new TestResponse(502).header("Server", "x");
            HttpFilter h = headers.newStreamFilter(stream);
            HttpFilter a = auth.newStreamFilter(stream);
            assertSame(FilterResult.proceed(), h.onRequestHeaders(stream, req));
            FilterResult r2 = a.onRequestHeaders(stream, req);
            stream.testWorker().runReady();
            if (r2 instanceof FilterResult.Async as) r2 = as.stage().toCompletableFuture().get(5, TimeUnit.SECONDS);
            assertSame(FilterResult.proceed(), r2);
            assertEquals("192.0.2.10", req.headers().get("x-forwarded-for"));
            assertEquals("carol", req.headers().get("x-user"));
            assertNull(req.headers().get("authorization"));
            a.onResponseHeaders(stream, res);
            h.onResponseHeaders(stream, res);
            assertEquals("carol", res.headers().get("x-served-for"));
            assertNull(res.headers().get("server"));
            assertEquals("1", res.headers().get("x-request-id"));
            assertEquals(1L, scripts.counter("script.headers.upstream_5xx"));

            FilterResult denied = auth.newStreamFilter(stream).onRequestHeaders(stream, Fixtures.get("/orders"));
            assertEquals(401, assertInstanceOf(FilterResult.Respond.class, denied).reply().status());
        }
    }

    @Test
    void exampleSteering() throws Exception {
        try (Scripts scripts = new Scripts(EXAMPLES)) {
            SteeringPolicy s = scripts.runtime.steering(Path.of("steer.js"), PluginConfig.empty());
            TestWorkerSet workers = new TestWorkerSet(4).drain(0);
            assertEquals(1, s.selectWorker(new FlowKey.Ipv4(6, 0x0A000001, 50000, 0x0A000002, 22), workers));
            FlowKey bulk = new FlowKey.Ipv4(6, 0x0A000001, 50001, 0x0A000002, 80);
            int w = s.selectWorker(bulk, workers);
            assertTrue(workers.isLive(w));
            assertEquals(w, s.selectWorker(bulk.reversed(), workers), "both directions hash alike");
        }
    }
}
