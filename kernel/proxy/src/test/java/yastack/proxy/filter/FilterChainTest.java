package yastack.proxy.filter;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import yastack.api.BodyChunk;
import yastack.api.FilterResult;
import yastack.api.HttpFilter;
import yastack.api.HttpRequestHead;
import yastack.api.HttpResponseHead;
import yastack.api.HttpStream;
import yastack.api.LocalReply;
import yastack.api.StreamSummary;
import yastack.api.testkit.TestBodyChunk;
import yastack.api.testkit.TestRequest;
import yastack.api.testkit.TestResponse;
import yastack.api.testkit.TestStream;
import yastack.kernel.plugin.PluginErrors;
import yastack.kernel.plugin.PluginStatsRegistry;

class FilterChainTest {
    private final TestStream stream = new TestStream().listener("test").remote("127.0.0.7", 40000);
    private final RecordingSink sink = new RecordingSink();
    private final PluginStatsRegistry stats = new PluginStatsRegistry();
    private final PluginErrors errors = new PluginErrors(stats);
    private final List<String> trace = new ArrayList<>();

    /** A filter that records each callback under {@code name} and continues. */
    private FilterChain.Entry tracing(String name) {
        return new FilterChain.Entry(name, s -> new HttpFilter() {
            @Override
            public FilterResult onRequestHeaders(HttpStream st, HttpRequestHead r) {
                trace.add(name + ".reqHeaders");
                r.headers().add("x-seen", name);
                return FilterResult.proceed();
            }

            @Override
            public FilterResult onRequestBody(HttpStream st, BodyChunk c, boolean last) {
                trace.add(name + ".reqBody");
                return FilterResult.proceed();
            }

            @Override
            public FilterResult onResponseHeaders(HttpStream st, HttpResponseHead r) {
                trace.add(name + ".respHeaders");
                return FilterResult.proceed();
            }

            @Override
            public FilterResult onResponseBody(HttpStream st, BodyChunk c, boolean last) {
                trace.add(name + ".respBody");
                return FilterResult.proceed();
            }

            @Override
            public void onComplete(HttpStream st, StreamSummary summary) {
                trace.add(name + ".complete");
            }
        });
    }

    private FilterChain chain(FilterChain.Entry... entries) {
        return new FilterChain(List.of(entries), stream, sink, errors);
    }

    @Test
    void requestRunsInOrderResponseInReverseAndEverythingIsForwarded() {
        FilterChain c = chain(tracing("a"), tracing("b"));
        TestRequest req = new TestRequest("GET", "/x");
        c.onRequestHeaders(req);
        c.onRequestBody(new TestBodyChunk("hello"), true);
        c.onResponseHeaders(new TestResponse(200));
        c.onResponseBody(new TestBodyChunk("world"), true);
        c.onComplete(null);
        assertEquals(List.of("a.reqHeaders", "b.reqHeaders", "a.reqBody", "b.reqBody", "b.respHeaders", "a.respHeaders",
                "b.respBody", "a.respBody", "a.complete", "b.complete"), trace);
        assertEquals(List.of("request GET /x", "request body hello (last)", "response 200", "response body world (last)"), sink.events);
        assertEquals(List.of("a", "b"), req.headers().getAll("x-seen"));
    }

    @Test
    void stopAndRespondSkipsLaterFiltersAndDropsLaterEvents() {
        FilterChain.Entry deny = new FilterChain.Entry("deny", s -> new HttpFilter() {
            @Override
            public FilterResult onRequestHeaders(HttpStream st, HttpRequestHead r) {
                return r.headers().contains("x-deny")
                        ? FilterResult.respond(LocalReply.of(403, "no\n").withHeader("x-why", "denied"))
                        : FilterResult.proceed();
            }
        });
        FilterChain c = chain(tracing("a"), deny, tracing("b"));
        c.onRequestHeaders(new TestRequest("GET", "/").header("x-deny", "1"));
        c.onRequestBody(new TestBodyChunk("late"), true);
        c.onComplete(null);
        assertTrue(c.isStopped());
        assertEquals(List.of("local reply 403", "discard late"), sink.events);
        assertEquals("denied", sink.reply.header("x-why"));
        assertEquals(List.of("a.reqHeaders", "a.complete", "b.complete"), trace);
    }

    @Test
    void asyncDecisionPausesTheStreamAndResumesOnTheWorker() throws Exception {
        CompletableFuture<FilterResult> decision = new CompletableFuture<>();
        FilterChain.Entry auth = new FilterChain.Entry("auth", s -> new HttpFilter() {
            @Override
            public FilterResult onRequestHeaders(HttpStream st, HttpRequestHead r) {
                trace.add("auth.ask");
                return FilterResult.async(decision.thenApply(x -> {
                    r.headers().set("x-user", "alice");
                    return x;
                }));
            }
        });
        FilterChain c = chain(auth, tracing("b"));
        TestRequest req = new TestRequest("POST", "/upload");
        c.onRequestHeaders(req);
        c.onRequestBody(new TestBodyChunk("part1"), false);
        assertTrue(c.isPaused());
        assertEquals(List.of("paused"), sink.events);
        assertEquals(List.of("auth.ask"), trace);

        // The external service answers on its own thread; the chain must not run there.
        Thread other = new Thread(() -> decision.complete(FilterResult.proceed()));
        other.start();
        other.join();
        assertEquals(List.of("paused"), sink.events, "nothing may run off the worker thread");
        c.onRequestBody(new TestBodyChunk("part2"), true);
        assertEquals(1, stream.testWorker().runReady(Duration.ofMillis(1000)));

        assertFalse(c.isPaused());
        assertEquals(List.of("paused", "resumed", "request POST /upload", "request body part1", "request body part2 (last)"), sink.events);
        assertEquals("alice", req.headers().get("x-user"));
        assertEquals(List.of("auth.ask", "b.reqHeaders", "b.reqBody", "b.reqBody"), trace);
    }

    @Test
    void alreadyCompletedStageContinuesInlineWithoutPausing() {
        FilterChain.Entry quick = new FilterChain.Entry("quick", s -> new HttpFilter() {
            @Override
            public FilterResult onRequestHeaders(HttpStream st, HttpRequestHead r) {
                return FilterResult.async(CompletableFuture.completedFuture(FilterResult.proceed()));
            }
        });
        FilterChain c = chain(quick, tracing("b"));
        c.onRequestHeaders(new TestRequest("GET", "/"));
        assertEquals(List.of("request GET /"), sink.events);
        assertEquals(0, stream.testWorker().pending());
    }

    @Test
    void asyncDecisionCanRespond() throws Exception {
        CompletableFuture<FilterResult> decision = new CompletableFuture<>();
        FilterChain c = chain(new FilterChain.Entry("auth", s -> new HttpFilter() {
            @Override
            public FilterResult onRequestHeaders(HttpStream st, HttpRequestHead r) {
                return FilterResult.async(decision);
            }
        }), tracing("b"));
        c.onRequestHeaders(new TestRequest("GET", "/"));
        c.onRequestBody(new TestBodyChunk("queued"), true);
        new Thread(() -> decision.complete(FilterResult.respond(LocalReply.of(401, "who are you\n")))).start();
        assertEquals(1, stream.testWorker().runReady(Duration.ofMillis(2000)));
        assertEquals(List.of("paused", "resumed", "discard queued", "local reply 401"), sink.events);
        assertTrue(trace.isEmpty());
    }

    @Test
    void throwingFilterGives500AndCountsErrors() {
        FilterChain.Entry boom = new FilterChain.Entry("boom", s -> new HttpFilter() {
            @Override
            public FilterResult onRequestHeaders(HttpStream st, HttpRequestHead r) {
                throw new IllegalStateException("bug in plugin");
            }
        });
        for (int i = 0; i < 3; i++) {
            RecordingSink sk = new RecordingSink();
            new FilterChain(List.of(boom), stream, sk, errors).onRequestHeaders(new TestRequest("GET", "/"));
            assertEquals(List.of("local reply 500"), sk.events);
            assertEquals("filter boom failed\n", sk.reply.body());
        }
        assertEquals(3L, stats.snapshot().get("plugin.boom.errors"));
    }

    @Test
    void failedStageGives500() throws Exception {
        FilterChain c = chain(new FilterChain.Entry("flaky", s -> new HttpFilter() {
            @Override
            public FilterResult onRequestHeaders(HttpStream st, HttpRequestHead r) {
                return FilterResult.async(CompletableFuture.supplyAsync(() -> {
                    throw new IllegalStateException("auth service down");
                }));
            }
        }));
        c.onRequestHeaders(new TestRequest("GET", "/"));
        stream.testWorker().runReady(Duration.ofMillis(2000));
        assertEquals("local reply 500", sink.events.getLast());
        assertEquals(1L, stats.snapshot().get("plugin.flaky.errors"));
    }

    @Test
    void filterThatCannotBeCreatedFailsTheStream() {
        FilterChain c = chain(tracing("a"), new FilterChain.Entry("broken", s -> {
            throw new UnsupportedOperationException("nope");
        }));
        c.onRequestHeaders(new TestRequest("GET", "/"));
        assertEquals(List.of("local reply 500"), sink.events);
        assertEquals(1L, stats.snapshot().get("plugin.broken.errors"));
    }

    @Test
    void respondingAfterTheResponseHeadWasSentResetsTheStream() {
        FilterChain c = chain(new FilterChain.Entry("scan", s -> new HttpFilter() {
            @Override
            public FilterResult onResponseBody(HttpStream st, BodyChunk chunk, boolean last) {
                return chunk.toString(StandardCharsets.UTF_8).contains("secret")
                        ? FilterResult.respond(LocalReply.of(502)) : FilterResult.proceed();
            }
        }));
        c.onRequestHeaders(new TestRequest("GET", "/"));
        c.onResponseHeaders(new TestResponse(200));
        c.onResponseBody(new TestBodyChunk("ok"), false);
        c.onResponseBody(new TestBodyChunk("secret"), false);
        c.onResponseBody(new TestBodyChunk("more"), true);
        assertEquals(List.of("request GET /", "response 200", "response body ok", "discard secret", "reset", "discard more"), sink.events);
    }

    @Test
    void responseFilterCanRewriteBodyAndStatus() {
        FilterChain c = chain(new FilterChain.Entry("rewrite", s -> new HttpFilter() {
            @Override
            public FilterResult onResponseHeaders(HttpStream st, HttpResponseHead r) {
                r.setStatus(203);
                return FilterResult.proceed();
            }

            @Override
            public FilterResult onResponseBody(HttpStream st, BodyChunk chunk, boolean last) {
                chunk.replace(ByteBuffer.wrap(chunk.toString(StandardCharsets.UTF_8)
                        .toUpperCase().getBytes(StandardCharsets.UTF_8)));
                return FilterResult.proceed();
            }
        }));
        c.onResponseHeaders(new TestResponse(200));
        c.onResponseBody(new TestBodyChunk("abc"), true);
        assertEquals(List.of("response 203", "response body ABC (last)"), sink.events);
    }

    @Test
    void decisionArrivingAfterTheStreamEndedIsIgnored() throws Exception {
        CompletableFuture<FilterResult> decision = new CompletableFuture<>();
        FilterChain c = chain(new FilterChain.Entry("slow", s -> new HttpFilter() {
            @Override
            public FilterResult onRequestHeaders(HttpStream st, HttpRequestHead r) {
                return FilterResult.async(decision);
            }
        }), tracing("b"));
        c.onRequestHeaders(new TestRequest("GET", "/"));
        c.onRequestBody(new TestBodyChunk("body"), true);
        c.onComplete(null); // client went away
        new Thread(() -> decision.complete(FilterResult.proceed())).start();
        stream.testWorker().runReady(Duration.ofMillis(2000));
        assertEquals(List.of("paused", "discard body"), sink.events);
        assertEquals(List.of("b.complete"), trace);
    }

    @Test
    void errorLogIsRateLimitedButEveryErrorIsCounted() {
        AtomicLong now = new AtomicLong(0);
        PluginErrors e = new PluginErrors(stats, 1_000, now::get);
        assertTrue(e.report("p", "x", new RuntimeException("1")));
        now.set(500);
        assertFalse(e.report("p", "x", new RuntimeException("2")));
        assertTrue(e.report("q", "x", new RuntimeException("other plugin")));
        now.set(1_500);
        assertTrue(e.report("p", "x", new RuntimeException("3")));
        assertEquals(3L, stats.snapshot().get("plugin.p.errors"));
    }

    @Test
    void pluginStatsArePublishedUnderThePluginName() {
        var scope = stats.scope("local-ratelimit");
        scope.counter("rate_limited").inc();
        scope.counter("rate_limited").add(2);
        scope.gauge("tokens").set(4);
        scope.histogram("wait_us").record(100);
        var snap = stats.snapshot();
        assertEquals(3L, snap.get("plugin.local-ratelimit.rate_limited"));
        assertEquals(4L, snap.get("plugin.local-ratelimit.tokens"));
        assertEquals(1L, snap.get("plugin.local-ratelimit.wait_us.count"));
        assertEquals(100L, snap.get("plugin.local-ratelimit.wait_us.max"), 1.0);
        stream.remote("10.0.0.1", 1);
    }
}
