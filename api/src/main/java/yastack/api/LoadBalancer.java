package yastack.api;

import java.util.List;

/**
 * Picks an endpoint for one request from a cluster's healthy endpoints. An
 * instance serves one cluster on one worker thread (no synchronization
 * needed) and must not block.
 */
@FunctionalInterface
public interface LoadBalancer {
    /**
     * Returns the index in {@code healthy} of the endpoint to use, or -1 to
     * fail the request with 503. {@code healthy} is never empty.
     */
    int choose(List<? extends UpstreamHost> healthy, LbContext context);

    /**
     * The config that created this object was replaced and nothing uses it any
     * more: release threads, files and timers. Called once, on a control thread.
     */
    default void close() {}

    /** What the balancer may know about the request being balanced. */
    interface LbContext {
        /** The request, or {@code null} for TCP proxying. */
        HttpRequestHead request();

        /** The client's address, or {@code null} if not known. */
        java.net.InetSocketAddress downstreamRemoteAddress();

        /** The cluster's name. */
        String cluster();
    }
}
