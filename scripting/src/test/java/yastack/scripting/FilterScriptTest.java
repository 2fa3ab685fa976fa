package yastack.scripting;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import yastack.api.FilterResult;
import yastack.api.HttpFilter;
import yastack.api.HttpStream;
import yastack.api.PluginConfig;
import yastack.api.ClusterCalls;
import yastack.api.testkit.TestRequest;
import yastack.api.testkit.TestResponse;
import yastack.api.testkit.TestSpan;
import yastack.api.testkit.TestStream;
import yastack.scripting.internal.FilterImpl;

class FilterScriptTest {
    @TempDir
    Path dir;

    Scripts scripts;
    final List<String> calls = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() throws Exception {
        if (scripts != null) scripts.close();
    }

    private static PluginConfig config(String key, String value) {
        return PluginConfig.of(Struct.newBuilder().putFields(key, Value.newBuilder().setStringValue(value).build()).build());
    }

    @Test
    void changesHeadersBothWaysRepliesLocallyAndKeepsPerStreamState() throws Exception {
        scripts = new Scripts(dir);
        Fixtures.write(dir, "filters/auth.js", """
                export function onRequest(req, ctx) {
                  if (req.headers['authorization'] !== 'Bearer ' + ctx.config.token) {
                    ctx.counter('denied').inc();
                    return {status: 401, body: 'who are you', headers: {'www-authenticate': 'Bearer'}};
                  }
                  ctx.user = 'alice';
                  req.headers['x-user'] = ctx.user;
                  delete req.headers['authorization'];
                  req.path = '/internal' + req.path;
                }
                export function onResponse(res, ctx) {
                  res.headers['x-served-for'] = ctx.user;
                  res.removeHeader('server');
                  if (res.status === 404) res.status = 410;
                }
                """);
        FilterImpl f = scripts.filter(Path.of("filters/auth.js"), config("token", "s3cret"));
        assertEquals("auth", f.name());
        HttpStream stream = Fixtures.stream();

        HttpFilter denied = f.newStreamFilter(stream);
        FilterResult r = denied.onRequestHeaders(stream, Fixtures.get("/x", "authorization", "Bearer wrong"));
        var reply = assertInstanceOf(FilterResult.Respond.class, r).reply();
        assertEquals(401, reply.status());
        assertEquals("Bearer", reply.header("WWW-Authenticate"));
        denied.onComplete(stream, null);
        assertEquals(1L, scripts.counter("script.auth.denied"));

        HttpFilter ok = f.newStreamFilter(stream);
        TestRequest req = Fixtures.get("/x?q=1", "Authorization", "Bearer s3cret");
        assertSame(FilterResult.proceed(), ok.onRequestHeaders(stream, req));
        assertEquals("alice", req.headers().get("x-user"));
        assertNull(req.headers().get("authorization"));
        assertEquals("/internal/x?q=1", req.uri());
        TestResponse res = new TestResponse(404).header("Server", "upstream");
        assertSame(FilterResult.proceed(), ok.onResponseHeaders(stream, res));
        assertEquals("alice", res.headers().get("X-Served-For"), "ctx properties live for the stream");
        assertNull(res.headers().get("server"));
        assertEquals(410, res.status());
        ok.onComplete(stream, null);
    }

    @Test
    void asyncHttpCallContinuesOnTheWorker() throws Exception {
        CompletableFuture<ClusterCalls.Response> upstream = new CompletableFuture<>();
        List<Boolean> calledOnWorker = new CopyOnWriteArrayList<>();
        scripts = new Scripts(dir, Duration.ofMillis(100), (cluster, request, worker) -> {
            calls.add(cluster + " " + request.method() + " " + request.path() + " " + request.headers() + " " + request.timeout().toMillis());
            calledOnWorker.add(worker.inWorker());
            return upstream;
        }, new TestFileWatch());
        Fixtures.write(dir, "extauth.js", """
                export async function onRequest(req, ctx) {
                  const r = await ctx.httpCall('auth', {method: 'POST', path: '/check', headers: {'x-token': req.headers['x-token']}, timeoutMs: 250});
                  ctx.counter('checked').inc();
                  if (r.status !== 200) return {status: 403, body: 'denied by ' + r.headers['x-by']};
                  req.headers['x-user'] = r.body;
                }
                """);
        FilterImpl f = scripts.filter(dir.resolve("extauth.js"), PluginConfig.empty());
        TestStream stream = Fixtures.stream();
        TestRequest req = Fixtures.get("/", "x-token", "t1");
        var async = assertInstanceOf(FilterResult.Async.class, f.newStreamFilter(stream).onRequestHeaders(stream, req));
        assertEquals(List.of("auth POST /check {x-token=t1} 250"), calls);
        assertEquals(List.of(true), calledOnWorker);

        // The upstream answers on some other thread; the script must continue on the worker, not there.
        Thread other = new Thread(() -> upstream.complete(new ClusterCalls.Response(200, Map.of("X-By", "idp"), "bob")));
        other.start();
        other.join(5000);
        assertFalse(async.stage().toCompletableFuture().isDone(), "nothing ran outside the worker");
        assertNull(req.headers().get("x-user"));
        assertEquals(1, stream.testWorker().runReady());
        assertSame(FilterResult.proceed(), async.stage().toCompletableFuture().get(5, TimeUnit.SECONDS));
        assertEquals("bob", req.headers().get("x-user"));
        assertEquals(1L, scripts.counter("script.extauth.checked"));
    }

    @Test
    void asyncDenialFailureAndRejectionAreContained() throws Exception {
        scripts = new Scripts(dir, Duration.ofMillis(200), (cluster, request, worker) -> switch (cluster) {
            case "down" -> CompletableFuture.failedFuture(new java.io.IOException("connection refused"));
            default -> CompletableFuture.completedFuture(new ClusterCalls.Response(503, Map.of("x-by", "idp"), ""));
        }, new TestFileWatch());
        Fixtures.write(dir, "a.js", """
                export async function onRequest(req, ctx) {
                  if (req.path === '/down') { await ctx.httpCall('down', {}); return; }
                  if (req.path === '/spin') { await ctx.httpCall('idp', {}); while (true) {} }
                  const r = await ctx.httpCall('idp', {path: '/check'});
                  if (r.status !== 200) return {status: 403, body: 'denied by ' + r.headers['x-by']};
                }
                """);
        FilterImpl f = scripts.filter(dir.resolve("a.js"), PluginConfig.empty());
        for (String[] c : new String[][] {{"/", "403"}, {"/down", "500"}, {"/spin", "500"}}) {
            TestStream stream = Fixtures.stream();
            FilterResult r = f.newStreamFilter(stream).onRequestHeaders(stream, Fixtures.get(c[0]));
            if (r instanceof FilterResult.Async a) {
                stream.testWorker().runReady();
                r = a.stage().toCompletableFuture().get(5, TimeUnit.SECONDS);
            }
            var reply = assertInstanceOf(FilterResult.Respond.class, r, c[0]).reply();
            assertEquals(Integer.parseInt(c[1]), reply.status(), c[0]);
            if (c[0].equals("/")) assertEquals("denied by idp", reply.body());
        }
        assertEquals(1L, scripts.counter("script.a.errors"), "the rejected httpCall");
        assertEquals(1L, scripts.counter("script.a.timeouts"), "the runaway continuation");
    }

    @Test
    void ctxSpanAddsAttributesToTheStreamsSpan() throws Exception {
        scripts = new Scripts(dir);
        Fixtures.write(dir, "tag.js", """
                export function onRequest(req, ctx) {
                  ctx.span.setAttribute('user.tier', req.headers['x-tier'] ?? 'free')
                          .setAttribute('user.score', 42).setAttribute('user.ratio', 0.5).setAttribute('user.vip', true);
                  req.headers['x-trace'] = ctx.span.traceId + '/' + ctx.span.spanId + '/' + ctx.span.sampled;
                }
                """);
        FilterImpl f = scripts.filter(dir.resolve("tag.js"), PluginConfig.empty());
        TestSpan span = new TestSpan();
        TestStream stream = Fixtures.stream().span(span);
        TestRequest req = Fixtures.get("/", "x-tier", "gold");
        assertSame(FilterResult.proceed(), f.newStreamFilter(stream).onRequestHeaders(stream, req));
        assertEquals(Map.of("user.tier", "gold", "user.score", 42L, "user.ratio", 0.5, "user.vip", true), span.attributes());
        assertEquals("4bf92f3577b34da6a3ce929d0e0e4736/00f067aa0ba902b7/true", req.headers().get("x-trace"));

        // Without tracing the span has no ids and takes attributes without complaint.
        TestStream untraced = Fixtures.stream();
        TestRequest plain = Fixtures.get("/");
        assertSame(FilterResult.proceed(), f.newStreamFilter(untraced).onRequestHeaders(untraced, plain));
        assertEquals("//false", plain.headers().get("x-trace"));
    }

    @Test
    void throwingFilterBecomes500() throws Exception {
        scripts = new Scripts(dir);
        Fixtures.write(dir, "t.js", "export function onRequest(req) { if (req.path === '/boom') null.x; }\n");
        FilterImpl f = scripts.filter(dir.resolve("t.js"), null);
        HttpStream stream = Fixtures.stream();
        var reply = assertInstanceOf(FilterResult.Respond.class, f.newStreamFilter(stream).onRequestHeaders(stream, Fixtures.get("/boom"))).reply();
        assertEquals(500, reply.status());
        assertEquals(1L, scripts.counter("script.t.errors"));
        assertSame(FilterResult.proceed(), f.newStreamFilter(stream).onRequestHeaders(stream, Fixtures.get("/fine")));
    }

    @Test
    void streamFinishesOnTheVersionItStartedOn() throws Exception {
        scripts = new Scripts(dir);
        Fixtures.write(dir, "v.js", """
                export function onRequest(req, ctx) { ctx.v = 'one'; }
                export function onResponse(res, ctx) { res.headers['x-version'] = 'one/' + ctx.v; }
                """);
        FilterImpl f = scripts.filter(dir.resolve("v.js"), null);
        HttpStream stream = Fixtures.stream();
        HttpFilter inFlight = f.newStreamFilter(stream);
        inFlight.onRequestHeaders(stream, Fixtures.get("/"));

        Fixtures.write(dir, "v.js", """
                export function onRequest(req, ctx) { ctx.v = 'two'; }
                export function onResponse(res, ctx) { res.headers['x-version'] = 'two/' + ctx.v; }
                """);
        scripts.watch.fire();
        assertEquals(2, f.generation());

        TestResponse old = new TestResponse(200);
        inFlight.onResponseHeaders(stream, old);
        assertEquals("one/one", old.headers().get("x-version"));
        inFlight.onComplete(stream, null);

        HttpFilter fresh = f.newStreamFilter(stream);
        fresh.onRequestHeaders(stream, Fixtures.get("/"));
        TestResponse now = new TestResponse(200);
        fresh.onResponseHeaders(stream, now);
        assertEquals("two/two", now.headers().get("x-version"));
        assertEquals(1L, scripts.counter("script.v.reload_ok"));
    }
}
