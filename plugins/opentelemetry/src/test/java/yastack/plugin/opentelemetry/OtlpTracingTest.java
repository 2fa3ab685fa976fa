package yastack.plugin.opentelemetry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.proto.trace.v1.Span;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import yastack.config.ConfigLoader;
import yastack.proxy.fixtures.ProxyHarness;
import yastack.proxy.fixtures.TestUpstream;

/**
 * Tracing end to end with the OpenTelemetry provider and a real OTLP/HTTP receiver: two
 * yastack hops make one trace with the right parent links; sampling and propagation rules
 * hold across the hops; a dead collector costs the requests nothing and memory stays bounded.
 */
class OtlpTracingTest {
    private static String hop(String name, int port, String tracing, String cluster, int clusterPort) {
        return """
                listeners:
                  - name: %1$s
                    address: 127.0.0.1
                    port: %2$d
                    http:
                      tracing: %3$s
                      preserve_external_request_id: true   # the hops keep the test's x-request-id
                      route_config:
                        virtual_hosts: [{name: %1$s, domains: ["*"], routes: [{name: %1$s-all, match: {prefix: "/"}, route: {cluster: %4$s}}]}]
                clusters:
                  - {name: %4$s, endpoints: [{address: 127.0.0.1, port: %5$d}]}
                """.formatted(name, port, tracing, cluster, clusterPort);
    }

    private static ProxyHarness start(String yaml) throws Exception {
        return new ProxyHarness(yaml, 1);
    }

    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private static HttpResponse<String> get(int port, String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10));
        for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String upstreamTraceparent(HttpResponse<String> r) {
        return r.body().lines().filter(l -> l.startsWith("h:traceparent=")).map(l -> l.substring("h:traceparent=".length()))
                .findFirst().orElseThrow(() -> new AssertionError("no traceparent upstream: " + r.body()));
    }

    @Test
    void twoHopsMakeOneTraceWithTheRightParents() throws Exception {
        try (OtlpReceiver collector = new OtlpReceiver(); TestUpstream up = new TestUpstream("up")) {
            int bPort = ProxyHarness.freePort();
            int aPort = ProxyHarness.freePort();
            try (ProxyHarness b = start(hop("hop-b", bPort, "{endpoint: " + collector.endpoint() + ", service_name: hop-b}", "up", up.port()));
                 ProxyHarness a = start(hop("hop-a", aPort, "{endpoint: " + collector.endpoint() + ", service_name: hop-a}", "b", bPort))) {
                HttpResponse<String> r = get(aPort, "/orders/7", "x-request-id", "two-hops");
                assertEquals(200, r.statusCode(), r.body());
                String[] upstream = upstreamTraceparent(r).split("-");

                Map<String, OtlpReceiver.Received> byName = collector.take(4).stream()
                        .collect(Collectors.toMap(s -> s.service() + "/" + s.kind(), Function.identity()));
                assertEquals(4, byName.size(), byName::toString);
                OtlpReceiver.Received aServer = byName.get("hop-a/" + Span.SpanKind.SPAN_KIND_SERVER);
                OtlpReceiver.Received aClient = byName.get("hop-a/" + Span.SpanKind.SPAN_KIND_CLIENT);
                OtlpReceiver.Received bServer = byName.get("hop-b/" + Span.SpanKind.SPAN_KIND_SERVER);
                OtlpReceiver.Received bClient = byName.get("hop-b/" + Span.SpanKind.SPAN_KIND_CLIENT);
                for (OtlpReceiver.Received s : byName.values()) assertEquals(upstream[1], s.traceId(), "one trace: " + s);
                assertEquals("", aServer.parentSpanId(), "the first hop starts the trace");
                assertEquals(aServer.spanId(), aClient.parentSpanId());
                assertEquals(aClient.spanId(), bServer.parentSpanId(), "the second hop continues from the first hop's try");
                assertEquals(bServer.spanId(), bClient.parentSpanId());
                assertEquals(bClient.spanId(), upstream[2], "the upstream's parent is the last try");
                assertEquals("01", upstream[3]);
                assertEquals("GET hop-a-all", aServer.name());
                assertEquals("router b egress", aClient.name());
                assertEquals(200, aServer.attribute("http.status_code").getIntValue());
                assertEquals("two-hops", bServer.attribute("guid:x-request-id").getStringValue(), "x-request-id travels too");
                assertEquals("127.0.0.1:" + up.port(), bClient.attribute("upstream_address").getStringValue());
                assertFalse(aServer.error());
                assertTrue(aServer.span().getStartTimeUnixNano() <= bServer.span().getStartTimeUnixNano()
                        && bServer.span().getEndTimeUnixNano() <= aServer.span().getEndTimeUnixNano() + 5_000_000,
                        "the second hop's span lies within the first's");
                assertEquals(4, a.stat("tracing.hop-a.spans_exported") + b.stat("tracing.hop-b.spans_exported"));
            }
        }
    }

    @Test
    void samplingAndPropagationAcrossHops() throws Exception {
        try (OtlpReceiver collector = new OtlpReceiver(); TestUpstream up = new TestUpstream("up")) {
            int bPort = ProxyHarness.freePort();
            int aPort = ProxyHarness.freePort();
            String never = "{endpoint: " + collector.endpoint() + ", service_name: %s, sampling: {ratio: 0}}";
            try (ProxyHarness b = start(hop("hop-b", bPort, "{endpoint: " + collector.endpoint() + ", service_name: hop-b}", "up", up.port()));
                 ProxyHarness a = start(hop("hop-a", aPort, never.formatted("hop-a"), "b", bPort))) {
                // The first hop does not sample: its decision travels with the trace, and the second hop follows it.
                HttpResponse<String> unsampled = get(aPort, "/x");
                assertTrue(upstreamTraceparent(unsampled).endsWith("-00"));
                assertEquals(List.of(), collector.drain(), "nothing sampled, nothing exported");
                assertEquals(1, b.stat("http.hop-b.tracing.not_traceable"));

                // x-client-trace-id forces a trace at the first hop, and so at the second.
                HttpResponse<String> forced = get(aPort, "/y", "x-client-trace-id", "case-42");
                String[] tp = upstreamTraceparent(forced).split("-");
                assertEquals("01", tp[3]);
                List<OtlpReceiver.Received> spans = collector.take(4);
                assertEquals(4, spans.size(), spans::toString);
                assertTrue(spans.stream().allMatch(s -> s.traceId().equals(tp[1])));
                assertEquals(1, b.stat("http.hop-b.tracing.client_enabled"), "x-client-trace-id travels to the next hop too");

                // A caller's trace and tracestate are continued through both hops.
                String trace = "0af7651916cd43dd8448eb211c80319c";
                HttpResponse<String> continued = get(aPort, "/z", "traceparent", "00-" + trace + "-b7ad6b7169203331-01",
                        "tracestate", "vendor=opaque-1");
                assertTrue(upstreamTraceparent(continued).startsWith("00-" + trace + "-"));
                assertTrue(continued.body().contains("h:tracestate=vendor=opaque-1"), continued.body());
                List<OtlpReceiver.Received> cont = collector.take(4);
                OtlpReceiver.Received aServer = cont.stream().filter(s -> s.service().equals("hop-a") && s.kind() == Span.SpanKind.SPAN_KIND_SERVER)
                        .findFirst().orElseThrow();
                assertEquals("b7ad6b7169203331", aServer.parentSpanId());
                assertEquals("vendor=opaque-1", aServer.traceState());
                assertEquals(1, b.stat("http.hop-b.tracing.parent_sampled"), "the second hop followed the first's sampled flag");

                // A malformed traceparent (upper-case hex) is not continued: a new trace starts at the first hop.
                HttpResponse<String> bad = get(aPort, "/w", "traceparent", "00-" + trace.toUpperCase() + "-B7AD6B7169203331-01",
                        "x-client-trace-id", "bad-one");
                assertNotEquals(trace, upstreamTraceparent(bad).split("-")[1]);
                assertEquals(1, a.stat("http.hop-a.tracing.invalid_traceparent"));
                collector.take(4);
            }
        }
    }

    @Test
    void aDeadCollectorCostsNothingButCountedFailures() throws Exception {
        int collectorPort = ProxyHarness.freePort(); // nothing listens here: every export is refused at once
        try (TestUpstream up = new TestUpstream("up")) {
            int port = ProxyHarness.freePort();
            String tracing = "{endpoint: http://127.0.0.1:" + collectorPort + "/v1/traces, service_name: lonely, max_queued_spans: 16}";
            try (ProxyHarness p = start(hop("lonely", port, tracing, "up", up.port()))) {
                for (int i = 0; i < 50; i++) assertEquals(200, get(port, "/r" + i).statusCode());
                assertEquals(100, awaitTotal(p, "lonely", 100), "every span is dropped or failed, and counted");
                assertTrue(p.stat("tracing.lonely.export_failures") >= 1);
                assertEquals(0, p.stat("tracing.lonely.spans_exported"));

                // The collector comes up: spans flow again.
                try (OtlpReceiver collector = new OtlpReceiver(collectorPort)) {
                    get(port, "/after");
                    List<OtlpReceiver.Received> after = collector.take(2);
                    assertEquals(2, after.size(), after::toString);
                    assertTrue(after.stream().allMatch(s -> s.service().equals("lonely")));
                }
            }
        }
    }

    @Test
    void aHungCollectorCostsBoundedMemoryAndCountedDrops() throws Exception {
        // A collector that accepts connections and never answers: each export waits out its timeout.
        try (ServerSocket blackHole = new ServerSocket(0, 50, InetAddress.getLoopbackAddress()); TestUpstream up = new TestUpstream("up")) {
            int port = ProxyHarness.freePort();
            String tracing = "{endpoint: http://127.0.0.1:" + blackHole.getLocalPort()
                    + "/v1/traces, service_name: stuck, max_queued_spans: 16, export_timeout: 300ms}";
            try (ProxyHarness p = start(hop("stuck", port, tracing, "up", up.port()))) {
                long started = System.nanoTime();
                for (int i = 0; i < 200; i++) assertEquals(200, get(port, "/r" + i).statusCode());
                long perRequestMicros = (System.nanoTime() - started) / 200 / 1000;
                assertTrue(perRequestMicros < 50_000, "requests do not wait for the collector: " + perRequestMicros + " µs each");
                // 400 spans, a queue of 16, an export thread stuck 300 ms per batch: what finds the queue full
                // is dropped, what was taken fails with its export; every span is counted once.
                assertEquals(400, awaitTotal(p, "stuck", 400), "dropped, or failed with the stuck exports: every span counted");
                assertTrue(p.stat("tracing.stuck.spans_dropped") > 0, "the bounded queue overflowed");
                assertTrue(p.stat("tracing.stuck.export_failures") >= 1);
                assertEquals(0, p.stat("tracing.stuck.spans_exported"));
            }
        }
    }

    @Test
    void aReloadMovesTheListenersSpansToTheNewCollector() throws Exception {
        try (OtlpReceiver before = new OtlpReceiver(); OtlpReceiver after = new OtlpReceiver(); TestUpstream up = new TestUpstream("up")) {
            int port = ProxyHarness.freePort();
            try (ProxyHarness p = start(hop("moving", port, "{endpoint: " + before.endpoint() + ", service_name: before}", "up", up.port()))) {
                get(port, "/one");
                assertEquals(2, before.take(2).size());

                p.engine.proxy().reload(ConfigLoader.parse(hop("moving", port,
                        "{endpoint: " + after.endpoint() + ", service_name: after}", "up", up.port()), Path.of(".")).bootstrap());
                get(port, "/two");
                List<OtlpReceiver.Received> moved = after.take(2);
                assertEquals(2, moved.size(), moved::toString);
                assertTrue(moved.stream().allMatch(s -> s.service().equals("after")), moved::toString);
                assertEquals(List.of(), before.drain(), "the old sink is closed, nothing more goes to the old collector");
            }
        }
    }

    private static long awaitTotal(ProxyHarness p, String listener, long expected) throws InterruptedException {
        long deadline = System.nanoTime() + 15_000_000_000L;
        long t;
        while ((t = total(p, listener)) < expected && System.nanoTime() < deadline) Thread.sleep(50);
        return t;
    }

    private static long total(ProxyHarness p, String listener) {
        String s = "tracing." + listener + ".";
        return p.stat(s + "spans_dropped") + p.stat(s + "spans_failed") + p.stat(s + "spans_exported");
    }
}
