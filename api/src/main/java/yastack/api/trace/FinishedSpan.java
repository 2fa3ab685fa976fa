package yastack.api.trace;

import java.util.List;
import java.util.Objects;

/**
 * A span the proxy finished: a downstream request (server span) or one upstream try (client
 * span). Ids are the W3C ones as numbers; a provider renders them as hex off the workers.
 *
 * @param name the span name ({@code GET /api} route or {@code router up egress})
 * @param kind server or client
 * @param traceIdHigh the trace id's first 8 bytes
 * @param traceIdLow the trace id's last 8 bytes
 * @param spanId this span's id, never 0
 * @param parentSpanId the parent span's id, 0 for a root span
 * @param remoteParent whether the parent came from a {@code traceparent} header (another process)
 * @param traceState the {@code tracestate} to carry, {@code ""} if none
 * @param startEpochNanos start, nanoseconds since the epoch
 * @param endEpochNanos end, nanoseconds since the epoch
 * @param error whether the span ended in error (a 5xx, a reset, a failed try)
 * @param attributes in the order they were set; a later one of the same key wins
 */
public record FinishedSpan(String name, Kind kind, long traceIdHigh, long traceIdLow, long spanId, long parentSpanId,
                           boolean remoteParent, String traceState, long startEpochNanos, long endEpochNanos, boolean error,
                           List<Attribute> attributes) {
    public enum Kind { SERVER, CLIENT }

    /** An attribute: the value is a {@link String}, {@link Long}, {@link Double} or {@link Boolean}. */
    public record Attribute(String key, Object value) {
        public Attribute {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
        }
    }

    public FinishedSpan {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(traceState, "traceState");
        Objects.requireNonNull(attributes, "attributes");
    }
}
