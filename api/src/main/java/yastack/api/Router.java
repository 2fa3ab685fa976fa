package yastack.api;

/**
 * Chooses the upstream cluster for a request after the request-header filters
 * ran. Shared by all workers (thread-safe), called on the stream's worker
 * thread, must not block. A router may rewrite the request in place
 * ({@link HttpRequestHead#setUri}, headers) before returning.
 */
@FunctionalInterface
public interface Router {
    /** The decision for {@code request}; never {@code null}. */
    RouteDecision route(HttpStream stream, HttpRequestHead request);

    /**
     * The config that created this object was replaced and nothing uses it any
     * more: release threads, files and timers. Called once, on a control thread.
     */
    default void close() {}
}
