package yastack.api;

/**
 * The per-stream part of an HTTP filter: one instance per request/response
 * exchange, created by {@link ConfiguredHttpFilter#newStreamFilter}. Every
 * callback of one instance runs on the same worker thread, one at a time, so an
 * instance needs no synchronization. Request callbacks run in the configured
 * filter order, response callbacks in reverse order. A callback must never
 * block: return {@link FilterResult#async} instead.
 *
 * <p>A filter that throws (or whose async stage fails) ends the stream with a
 * 500 local reply; the kernel counts it as {@code plugin.<name>.errors}.
 */
public interface HttpFilter {
    /** The request line and headers arrived; the head is not yet sent upstream. */
    default FilterResult onRequestHeaders(HttpStream stream, HttpRequestHead request) {
        return FilterResult.proceed();
    }

    /** One chunk of the request body; {@code last} marks the end of the body. */
    default FilterResult onRequestBody(HttpStream stream, BodyChunk chunk, boolean last) {
        return FilterResult.proceed();
    }

    /**
     * The response head arrived from the upstream; not yet sent to the client.
     * A {@link FilterResult#respond} here replaces the upstream response.
     */
    default FilterResult onResponseHeaders(HttpStream stream, HttpResponseHead response) {
        return FilterResult.proceed();
    }

    /**
     * One chunk of the response body. A {@link FilterResult#respond} here can no
     * longer replace the response (its head is already sent): the kernel resets
     * the stream instead.
     */
    default FilterResult onResponseBody(HttpStream stream, BodyChunk chunk, boolean last) {
        return FilterResult.proceed();
    }

    /**
     * The stream ended (completed, replied locally, or reset). Called exactly
     * once per instance, also when an earlier filter stopped the stream. Use it
     * to log or to release resources; the result is ignored.
     */
    default void onComplete(HttpStream stream, StreamSummary summary) {}
}
