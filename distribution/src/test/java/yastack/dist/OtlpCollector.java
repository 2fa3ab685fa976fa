package yastack.dist;

import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
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

/** An OTLP/HTTP trace receiver: {@code POST /v1/traces}, protobuf decoded with the opentelemetry-proto classes. */
final class OtlpCollector implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService executor = Executors.newSingleThreadExecutor();
    private final LinkedBlockingQueue<Span> spans = new LinkedBlockingQueue<>();

    OtlpCollector() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.setExecutor(executor);
        server.createContext("/v1/traces", ex -> {
            for (ResourceSpans rs : ExportTraceServiceRequest.parseFrom(ex.getRequestBody().readAllBytes()).getResourceSpansList()) {
                for (ScopeSpans ss : rs.getScopeSpansList()) spans.addAll(ss.getSpansList());
            }
            byte[] answer = ExportTraceServiceResponse.getDefaultInstance().toByteArray();
            ex.getResponseHeaders().set("content-type", "application/x-protobuf");
            ex.sendResponseHeaders(200, answer.length);
            ex.getResponseBody().write(answer);
            ex.close();
        });
        server.start();
    }

    String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1/traces";
    }

    /** Waits up to 10 s for {@code n} spans of trace {@code traceId} (hex); spans of other traces are passed over. */
    List<Span> trace(String traceId, int n) throws InterruptedException {
        List<Span> out = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (out.size() < n) {
            Span s = spans.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (s == null) break;
            if (HexFormat.of().formatHex(s.getTraceId().toByteArray()).equals(traceId)) out.add(s);
        }
        return out;
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
