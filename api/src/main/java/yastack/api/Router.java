package yastack.api;

/**
 * Chooses what happens to a request after the request-header filters ran: a cluster (with
 * the route's timeout, retries, rewrites and header edits) or a local reply. Shared by all
 * workers (thread-safe), called once per request on the stream's worker thread, must not
 * block. A router may rewrite the request in place ({@link HttpRequestHead#setUri},
 * headers) before returning, though a decision that carries its rewrites
 * ({@link RouteDecision.ToCluster.Builder#prefixRewrite}) can be built once and reused.
 */
@FunctionalInterface
public interface Router {
    /** The decision for {@code request}; never {@code null}. */
    RouteDecision route(HttpStream stream, HttpRequestHead request);

    /**
     * The name of the route {@code request} would take, without side effects. When a listener
     * has filters, the proxy asks this before they run, so they see it as
     * {@link HttpStream#routeName} (a per-route rate limit, a log line); {@link #route} decides
     * after them. The default, {@code ""}, suits routers whose routes have no names.
     */
    default String peekRouteName(HttpStream stream, HttpRequestHead request) {
        return "";
    }

    /**
     * The config that created this object was replaced and nothing uses it any
     * more: release threads, files and timers. Called once, on a control thread.
     */
    default void close() {}
}
