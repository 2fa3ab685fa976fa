package yastack.plugin.opentelemetry;

import io.opentelemetry.api.metrics.MeterProvider;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporterBuilder;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import yastack.api.PluginStats;
import yastack.api.trace.FinishedSpan;
import yastack.api.trace.SpanSink;

/**
 * One listener's exporter. Workers {@link #offer} finished spans into a bounded queue and go
 * on; a thread of the sink's own turns them into OpenTelemetry span data and sends them in
 * batches. A collector that is down or slow costs at most the queue: spans that find it full
 * are dropped and counted ({@code spans_dropped}), a batch whose export fails is dropped and
 * counted ({@code spans_failed}, {@code export_failures}) rather than retried into a backlog.
 */
final class OtlpSink implements SpanSink {
    private static final System.Logger LOG = System.getLogger("yastack");
    /**
     * The exporter logs every failed export with a stack trace; a dead collector would flood the
     * log. We log failures ourselves, at most every 30 s, and count them all. Held here so the
     * level stays set (java.util.logging keeps loggers weakly).
     */
    private static final Logger EXPORTER_LOG = Logger.getLogger("io.opentelemetry.exporter");

    static {
        EXPORTER_LOG.setLevel(Level.OFF);
    }
    static final int MAX_BATCH = 512;
    /** How long a batch waits for more spans after its first one. */
    static final long BATCH_DELAY_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

    private final ArrayBlockingQueue<FinishedSpan> queue;
    private final OtlpHttpSpanExporter exporter;
    private final Resource resource;
    private final InstrumentationScopeInfo scope;
    private final Settings settings;
    private final PluginStats.Counter exported;
    private final PluginStats.Counter dropped;
    private final PluginStats.Counter failed;
    private final PluginStats.Counter exportFailures;
    private final Thread thread;
    private volatile boolean closing;
    private long lastFailureLog;

    OtlpSink(Settings settings, InstrumentationScopeInfo scope) {
        this.settings = settings;
        this.scope = scope;
        this.queue = new ArrayBlockingQueue<>(settings.maxQueuedSpans());
        this.exported = settings.counters().apply("spans_exported");
        this.dropped = settings.counters().apply("spans_dropped");
        this.failed = settings.counters().apply("spans_failed");
        this.exportFailures = settings.counters().apply("export_failures");
        this.resource = Resource.getDefault().toBuilder().put("service.name", settings.serviceName()).build();
        OtlpHttpSpanExporterBuilder b = OtlpHttpSpanExporter.builder()
                .setEndpoint(settings.endpoint())
                .setTimeout(settings.exportTimeout())
                .setConnectTimeout(settings.exportTimeout())
                // Our own queue bounds memory; the exporter neither retries into a backlog nor reports to a global meter.
                .setRetryPolicy(null)
                .setMeterProvider(MeterProvider.noop());
        settings.headers().forEach(b::addHeader);
        this.exporter = b.build();
        this.thread = Thread.ofPlatform().daemon().name("yastack-otlp-export").unstarted(this::run);
        thread.start();
    }

    @Override
    public boolean offer(FinishedSpan span) {
        if (!closing && queue.offer(span)) return true;
        dropped.inc();
        return false;
    }

    private void run() {
        List<FinishedSpan> batch = new ArrayList<>(MAX_BATCH);
        while (true) {
            try {
                FinishedSpan first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    if (closing && queue.isEmpty()) break;
                    continue;
                }
                batch.add(first);
                long deadline = System.nanoTime() + BATCH_DELAY_NANOS;
                while (batch.size() < MAX_BATCH && !closing) {
                    FinishedSpan next = queue.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                    if (next == null) break;
                    batch.add(next);
                }
                queue.drainTo(batch, MAX_BATCH - batch.size());
                export(batch);
            } catch (InterruptedException e) {
                closing = true;
            } catch (RuntimeException e) {
                // A span the SDK refuses must not stop the thread: the batch is lost and counted.
                failed(batch.size(), e.toString());
            }
            batch.clear();
        }
    }

    private void export(List<FinishedSpan> batch) {
        List<SpanData> data = new ArrayList<>(batch.size());
        for (FinishedSpan s : batch) data.add(new ExportedSpan(s, resource, scope));
        CompletableResultCode result = exporter.export(data)
                .join(settings.exportTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
        if (result.isSuccess()) {
            exported.add(data.size());
        } else {
            Throwable why = result.getFailureThrowable();
            failed(data.size(), why == null ? (result.isDone() ? "the collector refused it" : "timed out") : why.toString());
        }
    }

    private void failed(int spans, String why) {
        failed.add(spans);
        exportFailures.inc();
        long now = System.nanoTime();
        if (now - lastFailureLog > TimeUnit.SECONDS.toNanos(30) || lastFailureLog == 0) {
            lastFailureLog = now;
            LOG.log(System.Logger.Level.WARNING, settings.fieldPath() + ": exporting " + spans + " spans to " + settings.endpoint()
                    + " failed (" + why + "); later failures are counted in " + "tracing.*.export_failures");
        }
    }

    @Override
    public void close() {
        closing = true;
        try {
            thread.join(settings.exportTimeout().toMillis() + 2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        exporter.shutdown().join(5, TimeUnit.SECONDS);
    }
}
