package yastack.plugin.opentelemetry;

import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real OTLP/HTTP trace receiver for tests: {@code POST /v1/traces} with an
 * {@code ExportTraceServiceRequest} in protobuf, decoded with the opentelemetry-proto classes,
 * each span kept with its service name.
 */
final class OtlpReceiver implements AutoCloseable {
    /** A received span: its service, and the fields tests look at. */
    record Received(String service, String traceId, String spanId, String parentSpanId, String name, Span.SpanKind kind,
                    String traceState, boolean error, Span span) {
        AnyValue attribute(String key) {
            for (KeyValue kv : span.getAttributesList()) if (kv.getKey().equals(key)) return kv.getValue();
            return null;
        }
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(2);
    private final LinkedBlockingQueue<Received> spans = new LinkedBlockingQueue<>();
    final AtomicInteger requests = new AtomicInteger();

    OtlpReceiver() throws IOException {
        this(0);
    }

    OtlpReceiver(int port) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
        server.setExecutor(executor);
        server.createContext("/v1/traces", ex -> {
            requests.incrementAndGet();
            byte[] body = ex.getRequestBody().readAllBytes();
            int status = 200;
            byte[] answer = ExportTraceServiceResponse.getDefaultInstance().toByteArray();
            if (!"POST".equals(ex.getRequestMethod()) || !"application/x-protobuf".equals(ex.getRequestHeaders().getFirst("content-type"))) {
                status = 415;
            } else {
                for (ResourceSpans rs : ExportTraceServiceRequest.parseFrom(body).getResourceSpansList()) {
                    String service = "";
                    for (KeyValue kv : rs.getResource().getAttributesList()) {
                        if (kv.getKey().equals("service.name")) service = kv.getValue().getStringValue();
                    }
                    for (ScopeSpans ss : rs.getScopeSpansList()) {
                        for (Span s : ss.getSpansList()) {
                            spans.add(new Received(service, hex(s.getTraceId().toByteArray()), hex(s.getSpanId().toByteArray()),
                                    hex(s.getParentSpanId().toByteArray()), s.getName(), s.getKind(), s.getTraceState(),
                                    s.getStatus().getCode() == Status.StatusCode.STATUS_CODE_ERROR, s));
                        }
                    }
                }
            }
            ex.getResponseHeaders().set("content-type", "application/x-protobuf");
            ex.sendResponseHeaders(status, answer.length);
            ex.getResponseBody().write(answer);
            ex.close();
        });
        server.start();
    }

    private static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    int port() {
        return server.getAddress().getPort();
    }

    String endpoint() {
        return "http://127.0.0.1:" + port() + "/v1/traces";
    }

    /** Waits up to 10 s for {@code n} spans and takes them in arrival order. */
    List<Received> take(int n) throws InterruptedException {
        List<Received> out = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (out.size() < n) {
            Received r = spans.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (r == null) break;
            out.add(r);
        }
        return out;
    }

    /** Whatever arrived, after waiting out one export batch. */
    List<Received> drain() throws InterruptedException {
        Thread.sleep(600);
        List<Received> out = new ArrayList<>();
        spans.drainTo(out);
        return out;
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
