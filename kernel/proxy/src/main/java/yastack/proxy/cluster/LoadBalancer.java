package yastack.proxy.cluster;

/**
 * Picks an endpoint index. One instance per worker per cluster, so implementations keep
 * mutable state without synchronisation.
 */
public interface LoadBalancer {
    /**
     * @param hash the request's hash key (for consistent hashing), or {@link #NO_HASH}
     * @param healthy which endpoints may be picked
     * @return an endpoint index, or -1 when none is healthy
     */
    int pick(long hash, boolean[] healthy);

    /** Called when a request to endpoint {@code index} starts and ends (least_request). */
    default void onRequestStart(int index) {}

    default void onRequestEnd(int index) {}

    long NO_HASH = Long.MIN_VALUE;
}
