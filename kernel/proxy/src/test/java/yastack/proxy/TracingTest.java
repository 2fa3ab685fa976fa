package yastack.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import yastack.api.trace.FinishedSpan;
import yastack.proxy.fixtures.MemoryTracing;
import yastack.proxy.fixtures.ProxyHarness;
import yastack.proxy.fixtures.TestUpstream;
import yastack.proxy.trace.TraceParent;

/**
 * Tracing through the real proxy, with spans caught by the in-memory provider: W3C context
 * read strictly and propagated with each try as parent, server and client spans with their
 * links and attributes, and every sampling rule.
 */
class TracingTest {
    static TestUpstream up;
    static RetryPolicyTest.FixedUpstream failing;
    static ProxyHarness proxy;

    @BeforeAll
    static void start() throws Exception {
        up = new TestUpstream("up");
        failing = new RetryPolicyTest.FixedUpstream(503, 0);
        proxy = new ProxyHarness("""
                listeners:
                  - name: all
                    address: 127.0.0.1
                    port: ${PORT}
                    http:
                      tracing: {provider: memory, service_name: all}
                      preserve_external_request_id: true   # the test's x-request-id is kept (an edge replaces it)
                      filters: [{name: span-tag, config: {header: x-user, attribute: user.id}}]
                      route_config:
                        virtual_hosts:
                          - name: main
                            domains: ["*"]
                            routes:
                              - {name: retried, match: {prefix: "/retry/"}, route: {cluster: flaky, prefix_rewrite: "/", retry_policy: {retry_on: 5xx, num_retries: 1}}}
                              - {name: local, match: {prefix: "/local"}, direct_response: {status: 200, body: ok}}
                              - {name: echo, match: {prefix: "/"}, route: {cluster: up}}
                  - name: rare
                    address: 127.0.0.1
                    port: %3$d
                    http:
                      tracing: {provider: memory, service_name: rare, sampling: {ratio: 0}}
                      route_config: {virtual_hosts: [{name: r, domains: ["*"], routes: [{match: {prefix: "/"}, route: {cluster: up}}]}]}
                  - name: errors
                    address: 127.0.0.1
                    port: %4$d
                    http:
                      tracing: {provider: memory, service_name: errors, sampling: {ratio: 0, always_sample_errors: true}}
                      route_config: {virtual_hosts: [{name: e, domains: ["*"], routes: [{match: {prefix: "/"}, route: {cluster: up}}]}]}
                clusters:
                  - {name: up, endpoints: [{address: 127.0.0.1, port: %1$d}]}
                  - {name: flaky, lb_policy: round_robin, endpoints: [{address: 127.0.0.1, port: %2$d}, {address: 127.0.0.1, port: %1$d}]}
                """.formatted(up.port(), failing.port(), RARE_PORT, ERRORS_PORT), 1);
    }

    static final int RARE_PORT = freePort();
    static final int ERRORS_PORT = freePort();

    private static int freePort() {
        try {
            return ProxyHarness.freePort();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @AfterAll
    static void stop() {
        if (proxy != null) proxy.close();
        up.close();
        failing.close();
    }

    /** The header lines the echo upstream saw ({@code h:name=value}). */
    private static Map<String, String> seen(HttpResponse<String> r) {
        return r.body().lines().filter(l -> l.startsWith("h:")).map(l -> l.substring(2).split("=", 2))
                .collect(Collectors.toMap(a -> a[0], a -> a[1], (a, b) -> a + "," + b));
    }

    private static TraceParent upstreamParent(HttpResponse<String> r) {
        String tp = seen(r).get("traceparent");
        assertTrue(tp != null && tp.matches("00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]"), "upstream traceparent: " + tp);
        return TraceParent.parse(List.of(tp));
    }

    private static FinishedSpan only(List<FinishedSpan> spans, FinishedSpan.Kind kind) {
        List<FinishedSpan> of = spans.stream().filter(s -> s.kind() == kind).toList();
        assertEquals(1, of.size(), spans::toString);
        return of.getFirst();
    }

    private static Object attr(FinishedSpan s, String key) {
        Object v = null;
        for (FinishedSpan.Attribute a : s.attributes()) if (a.key().equals(key)) v = a.value();
        return v;
    }

    @Test
    void aNewTraceGetsAServerSpanAndAClientSpanWhoseIdGoesUpstream() throws Exception {
        HttpResponse<String> r = proxy.get("/hello", "x-user", "alice", "x-request-id", "rid-1");
        assertEquals(200, r.statusCode());
        TraceParent sent = upstreamParent(r);
        assertTrue(sent.sampled());
        List<FinishedSpan> spans = MemoryTracing.take("all", 2);
        FinishedSpan server = only(spans, FinishedSpan.Kind.SERVER);
        FinishedSpan client = only(spans, FinishedSpan.Kind.CLIENT);
        assertEquals(sent.traceHigh(), server.traceIdHigh());
        assertEquals(sent.traceLow(), server.traceIdLow());
        assertEquals(0, server.parentSpanId(), "a new trace: the server span is the root");
        assertEquals(server.spanId(), client.parentSpanId());
        assertEquals(client.spanId(), sent.parentSpanId(), "the upstream's parent is the client span");
        assertEquals(client.traceIdLow(), server.traceIdLow());
        assertEquals("GET echo", server.name());
        assertEquals("router up egress", client.name());
        assertEquals(200L, attr(server, "http.status_code"));
        assertEquals("up", attr(server, "upstream_cluster"));
        assertEquals("rid-1", attr(server, "guid:x-request-id"));
        assertEquals("alice", attr(server, "user.id"), "the filter plugin's attribute");
        assertEquals(5L, attr(server, "user.id.length"));
        assertEquals("127.0.0.1:" + up.port(), attr(client, "upstream_address"));
        assertEquals(1L, attr(client, "retry.attempt"));
        assertFalse(server.error());
        assertTrue(server.startEpochNanos() <= client.startEpochNanos() && client.endEpochNanos() <= server.endEpochNanos() + 1_000_000,
                "the client span lies within the server span");
    }

    @Test
    void aValidTraceparentIsContinuedWithItsTracestate() throws Exception {
        String trace = "4bf92f3577b34da6a3ce929d0e0e4736";
        HttpResponse<String> r = proxy.get("/continue", "traceparent", "00-" + trace + "-00f067aa0ba902b7-01",
                "tracestate", "congo=t61rcWkgMzE, rojo=00f067aa0ba902b7");
        TraceParent sent = upstreamParent(r);
        assertEquals(trace, TraceParent.hex(sent.traceHigh()) + TraceParent.hex(sent.traceLow()));
        assertNotEquals(0x00f067aa0ba902b7L, sent.parentSpanId(), "the upstream's parent is our span, not the caller's");
        assertEquals("congo=t61rcWkgMzE, rojo=00f067aa0ba902b7", seen(r).get("tracestate"));
        FinishedSpan server = only(MemoryTracing.take("all", 2), FinishedSpan.Kind.SERVER);
        assertEquals(0x00f067aa0ba902b7L, server.parentSpanId());
        assertTrue(server.remoteParent());
        assertEquals("congo=t61rcWkgMzE, rojo=00f067aa0ba902b7", server.traceState());
    }

    @Test
    void invalidTraceparentsStartANewTraceAndDropTheTracestate() throws Exception {
        String good = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        List<String> invalid = List.of(
                good.toUpperCase(),                                          // upper-case hex
                good + "-",                                                  // version 00 is exactly 55 characters
                "00-00000000000000000000000000000000-00f067aa0ba902b7-01",   // all-zero trace id
                "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",   // all-zero parent id
                "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",   // version ff
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1",    // 54 characters
                "00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");  // wrong separator
        long before = proxy.stat("http.all.tracing.invalid_traceparent");
        for (String tp : invalid) {
            HttpResponse<String> r = proxy.get("/bad", "traceparent", tp, "tracestate", "congo=t61rcWkgMzE");
            TraceParent sent = upstreamParent(r);
            assertNotEquals(0x4bf92f3577b34da6L, sent.traceHigh(), tp + ": a new trace");
            assertNull(seen(r).get("tracestate"), tp + ": its tracestate goes with it");
            assertEquals(0, only(MemoryTracing.take("all", 2), FinishedSpan.Kind.SERVER).parentSpanId(), tp);
        }
        assertEquals(before + invalid.size(), proxy.awaitStat("http.all.tracing.invalid_traceparent", before + invalid.size()));
        // A later version may be longer, with a dash after the first 55 characters.
        HttpResponse<String> future = proxy.get("/future", "traceparent", "01" + good.substring(2) + "-what-comes-next");
        assertEquals(0x4bf92f3577b34da6L, upstreamParent(future).traceHigh());
        MemoryTracing.take("all", 2);
    }

    @Test
    void aRetryIsASecondClientSpanWithItsOwnParentIdUpstream() throws Exception {
        // Round robin over [503, good]: a request meets the 503 first, or goes straight to the good one.
        for (int i = 0; i < 4; i++) {
            HttpResponse<String> r = proxy.get("/retry/x");
            assertEquals(200, r.statusCode());
            List<FinishedSpan> spans = MemoryTracing.drain("all");
            FinishedSpan server = only(spans, FinishedSpan.Kind.SERVER);
            List<FinishedSpan> tries = spans.stream().filter(s -> s.kind() == FinishedSpan.Kind.CLIENT).toList();
            if (tries.size() == 1) continue;
            assertEquals(2, tries.size(), spans::toString);
            assertEquals(1L, attr(tries.get(0), "retry.attempt"));
            assertEquals(503L, attr(tries.get(0), "http.status_code"));
            assertTrue(tries.get(0).error());
            assertEquals(2L, attr(tries.get(1), "retry.attempt"));
            assertEquals(200L, attr(tries.get(1), "http.status_code"));
            assertFalse(tries.get(1).error());
            assertNotEquals(tries.get(0).spanId(), tries.get(1).spanId());
            assertEquals(server.spanId(), tries.get(0).parentSpanId());
            assertEquals(server.spanId(), tries.get(1).parentSpanId());
            assertEquals(tries.get(1).spanId(), upstreamParent(r).parentSpanId(), "the good upstream saw the second try's id");
            assertEquals("retried", attr(server, "route_name"));
            return;
        }
        throw new AssertionError("no request met the failing endpoint first in 4 tries of round robin");
    }

    @Test
    void localRepliesAreTracedWithoutClientSpans() throws Exception {
        proxy.get("/local");
        List<FinishedSpan> spans = MemoryTracing.drain("all");
        assertEquals(1, spans.size(), spans::toString);
        assertEquals("GET local", spans.getFirst().name());
    }

    @Test
    void samplingRules() throws Exception {
        String rare = "http://127.0.0.1:" + RARE_PORT;
        // ratio 0: not sampled, yet the context still goes upstream (flag 00)
        HttpResponse<String> r = get(rare + "/x");
        assertFalse(upstreamParent(r).sampled());
        // forced by x-client-trace-id, or by x-envoy-force-trace
        assertTrue(upstreamParent(get(rare + "/x", "x-client-trace-id", "abc")).sampled());
        assertTrue(upstreamParent(get(rare + "/x", "x-envoy-force-trace", "1")).sampled());
        // a sampled parent is followed
        assertTrue(upstreamParent(get(rare + "/x", "traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")).sampled());
        List<FinishedSpan> spans = MemoryTracing.drain("rare");
        assertEquals(6, spans.size(), "three sampled requests, a server and a client span each: " + spans);
        assertEquals("abc", attr(only(spans.subList(0, 2), FinishedSpan.Kind.SERVER), "guid:x-client-trace-id"));
        assertEquals(1, proxy.stat("http.rare.tracing.not_traceable"));
        assertEquals(1, proxy.stat("http.rare.tracing.client_enabled"));
        assertEquals(1, proxy.stat("http.rare.tracing.service_forced"));
        assertEquals(1, proxy.stat("http.rare.tracing.parent_sampled"));
        // a parent that says not sampled is followed too, on a listener that samples everything
        HttpResponse<String> unsampled = proxy.get("/x", "traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00");
        assertFalse(upstreamParent(unsampled).sampled());
        assertEquals(List.of(), MemoryTracing.drain("all"));
    }

    @Test
    void errorsAreAlwaysSampledWhenAsked() throws Exception {
        String errors = "http://127.0.0.1:" + ERRORS_PORT;
        assertEquals(200, get(errors + "/fine").statusCode());
        assertEquals(503, get(errors + "/status/503").statusCode());
        List<FinishedSpan> spans = MemoryTracing.drain("errors");
        assertEquals(2, spans.size(), "only the failed request's spans: " + spans);
        FinishedSpan server = only(spans, FinishedSpan.Kind.SERVER);
        assertTrue(server.error());
        assertEquals(503L, attr(server, "http.status_code"));
        assertEquals(true, attr(server, "error"));
        assertEquals(1, proxy.stat("http.errors.tracing.error_sampled"));
    }

    @Test
    void b3ContextIsContinuedAndWrittenBackInItsOwnForm() throws Exception {
        // The x-b3-* headers, sampled: continued, and rewritten upstream with our try as the span.
        String trace = "463ac35c9f6413ad48485a3953bb6124";
        HttpResponse<String> multi = proxy.get("/b3", "x-b3-traceid", trace, "x-b3-spanid", "a2fb4a1d1a96d312",
                "x-b3-sampled", "1");
        TraceParent sent = upstreamParent(multi);
        assertEquals(trace, TraceParent.hex(sent.traceHigh()) + TraceParent.hex(sent.traceLow()));
        List<FinishedSpan> spans = MemoryTracing.take("all", 2);
        FinishedSpan server = only(spans, FinishedSpan.Kind.SERVER);
        FinishedSpan client = only(spans, FinishedSpan.Kind.CLIENT);
        assertEquals(0xa2fb4a1d1a96d312L, server.parentSpanId(), "the B3 caller's span is the parent");
        Map<String, String> up = seen(multi);
        assertEquals(trace, up.get("x-b3-traceid"));
        assertEquals(TraceParent.hex(client.spanId()), up.get("x-b3-spanid"));
        assertEquals(TraceParent.hex(server.spanId()), up.get("x-b3-parentspanid"));
        assertEquals("1", up.get("x-b3-sampled"));
        assertEquals(client.spanId(), sent.parentSpanId(), "traceparent and B3 name the same try");

        // The single header with a 64-bit trace id and no decision: ours decides (ratio 1 here).
        HttpResponse<String> single = proxy.get("/b3", "b3", "48485a3953bb6124-b7ad6b7169203331");
        spans = MemoryTracing.take("all", 2);
        server = only(spans, FinishedSpan.Kind.SERVER);
        client = only(spans, FinishedSpan.Kind.CLIENT);
        assertEquals(0, server.traceIdHigh());
        assertEquals(0x48485a3953bb6124L, server.traceIdLow());
        assertEquals("48485a3953bb6124-" + TraceParent.hex(client.spanId()) + "-1-" + TraceParent.hex(server.spanId()),
                seen(single).get("b3"));

        // "Not sampled" is followed: nothing exported, the decision travels on.
        HttpResponse<String> denied = proxy.get("/b3", "b3", "48485a3953bb6124-b7ad6b7169203331-0");
        assertTrue(seen(denied).get("b3").matches("48485a3953bb6124-[0-9a-f]{16}-0-[0-9a-f]{16}"), seen(denied).toString());
        assertFalse(upstreamParent(denied).sampled());
        assertEquals(List.of(), MemoryTracing.drain("all"));

        // Malformed (upper-case hex): a new trace, counted; the B3 header upstream names the new trace.
        long before = proxy.stat("http.all.tracing.invalid_b3");
        HttpResponse<String> bad = proxy.get("/b3", "b3", "48485A3953BB6124-b7ad6b7169203331-1");
        TraceParent fresh = upstreamParent(bad);
        assertNotEquals(0x48485a3953bb6124L, fresh.traceLow());
        assertTrue(seen(bad).get("b3").startsWith(TraceParent.hex(fresh.traceHigh()) + TraceParent.hex(fresh.traceLow()) + "-"));
        assertEquals(before + 1, proxy.awaitStat("http.all.tracing.invalid_b3", before + 1));
        MemoryTracing.take("all", 2);

        // A valid traceparent wins over B3, and the B3 headers upstream follow it.
        String w3c = "4bf92f3577b34da6a3ce929d0e0e4736";
        HttpResponse<String> both = proxy.get("/b3", "traceparent", "00-" + w3c + "-00f067aa0ba902b7-01", "b3", "48485a3953bb6124-b7ad6b7169203331-1");
        assertTrue(seen(both).get("b3").startsWith(w3c + "-"), seen(both).toString());
        assertEquals(0x00f067aa0ba902b7L, only(MemoryTracing.take("all", 2), FinishedSpan.Kind.SERVER).parentSpanId());
    }

    private static HttpResponse<String> get(String url, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url));
        for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        return proxy.client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
