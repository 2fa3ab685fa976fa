package yastack.api.trace;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import yastack.api.PluginStats;

/**
 * Where a listener's finished spans go. {@link #offer} is called on worker threads and must
 * never block or allocate much: queue the span (bounded) and export it from a thread of the
 * sink's own. When the queue is full, or the collector is down long enough to fill it, spans
 * are dropped and counted, so memory stays bounded whatever the collector does.
 */
public interface SpanSink extends AutoCloseable {
    /** Queues {@code span} for export; returns false when it was dropped (and counted). */
    boolean offer(FinishedSpan span);

    /** Exports what is queued (waiting up to the export timeout), then stops. Further offers are dropped. */
    @Override
    void close();

    /**
     * One listener's tracing settings.
     *
     * @param fieldPath the config field these came from, for error messages ({@code listeners[0].http.tracing})
     * @param endpoint where spans are sent (OTLP/HTTP: the {@code /v1/traces} URL)
     * @param serviceName the {@code service.name} resource attribute
     * @param maxQueuedSpans spans waiting for export before new ones are dropped
     * @param exportTimeout the longest one export may take
     * @param headers sent with every export
     * @param counters the sink's counters by short name: {@code spans_exported} is published as
     *        {@code tracing.<listener>.spans_exported}
     */
    record Settings(String fieldPath, String endpoint, String serviceName, int maxQueuedSpans, Duration exportTimeout,
                    Map<String, String> headers, Function<String, PluginStats.Counter> counters) {
        public Settings {
            Objects.requireNonNull(fieldPath, "fieldPath");
            Objects.requireNonNull(endpoint, "endpoint");
            Objects.requireNonNull(serviceName, "serviceName");
            Objects.requireNonNull(exportTimeout, "exportTimeout");
            Objects.requireNonNull(counters, "counters");
            headers = Map.copyOf(headers);
            if (maxQueuedSpans < 1) throw new IllegalArgumentException("maxQueuedSpans must be positive");
        }
    }
}
