package yastack.api;

/**
 * The span of one traced stream, as filters and scripts see it ({@link HttpStream#span}):
 * its W3C ids and the attributes they add. Attributes are kept on the stream's worker and
 * turned into the exported span after the stream ends, off the worker; setting one costs a
 * small list entry, and nothing at all when the stream is not sampled.
 */
public interface TraceSpan {
    /** The span of a stream on a listener that does not trace: no ids, attributes ignored. */
    TraceSpan NONE = new TraceSpan() {
        @Override public String traceId() { return ""; }
        @Override public String spanId() { return ""; }
        @Override public boolean sampled() { return false; }
        @Override public TraceSpan setAttribute(String key, Object value) { return this; }
    };

    /** The trace id, 32 lower-case hex digits; {@code ""} when the stream is not traced. */
    String traceId();

    /** This span's id, 16 lower-case hex digits; {@code ""} when the stream is not traced. */
    String spanId();

    /** Whether the span will be exported (sampled now; an error may still export it later). */
    boolean sampled();

    /**
     * Adds or replaces an attribute of the server span. {@code value}: a {@link String},
     * {@link Boolean}, or a {@link Number} (whole numbers become integers, others doubles);
     * anything else is recorded as its {@code toString()}.
     */
    TraceSpan setAttribute(String key, Object value);
}
