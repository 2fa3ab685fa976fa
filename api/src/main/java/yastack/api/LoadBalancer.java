package yastack.api;

import java.net.InetSocketAddress;

/**
 * Picks an endpoint for one request or connection. An instance serves one cluster's endpoint
 * set on one worker thread (no synchronization needed) and must not block; when the
 * endpoints change the proxy creates new instances. A pick should allocate nothing: the
 * {@link HostSet} and the {@link LbContext} are views the proxy reuses.
 */
@FunctionalInterface
public interface LoadBalancer {
    /** The answer that fails the request with 503 (no endpoint). */
    int NO_HOST = -1;

    /**
     * The index in {@code hosts} of the endpoint to use, which must be {@link HostSet#usable};
     * or {@link #NO_HOST}.
     */
    int choose(HostSet hosts, LbContext context);

    /**
     * The config that created this object was replaced and nothing uses it any
     * more: release threads, files and timers. Called once, on a control thread.
     */
    default void close() {}

    /** What the balancer may know about the request being balanced; valid only during {@link #choose}. */
    interface LbContext {
        /** The value of {@link #hashKey()} when the request has no key. */
        long NO_HASH_KEY = Long.MIN_VALUE;

        /** The request, or {@code null} when balancing a TCP connection. */
        HttpRequestHead request();

        /** The client's address, or {@code null} if not known. */
        InetSocketAddress downstreamRemoteAddress();

        /** The cluster's name. */
        String cluster();

        /**
         * The request's consistent-hash key: {@link Hashing#hash64} of what the route's
         * {@link HashKey} (else the cluster's; by default the client's IP) names, or
         * {@link #NO_HASH_KEY} when the request has no such value. Computed on first call.
         */
        long hashKey();
    }
}
