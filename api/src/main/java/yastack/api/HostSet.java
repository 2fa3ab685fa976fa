package yastack.api;

import java.util.function.Function;

/**
 * The endpoints of one cluster as a {@link LoadBalancer} sees them on one worker: a view the
 * proxy reuses for every pick, so reading it allocates nothing. Indexes are stable for the
 * balancer's lifetime (a change of endpoints gives the cluster new balancers).
 */
public interface HostSet {
    /** Number of endpoints, usable or not. */
    int size();

    /** Endpoint {@code index}, {@code 0 <= index < size()}. */
    UpstreamHost host(int index);

    /**
     * Whether endpoint {@code index} may be chosen for this pick: healthy (or every endpoint is
     * unhealthy and the proxy balances over all of them, Envoy's panic mode), and not the
     * endpoint a retry is moving away from while another is usable.
     */
    boolean usable(int index);

    /** Number of usable endpoints; at least 1 when {@link LoadBalancer#choose} is called. */
    int usableCount();

    /**
     * A value computed once from this set of endpoints and shared by every worker's balancer
     * of the cluster, such as a hash ring or a Maglev table. {@code key} names the value (it
     * must have value equality, e.g. a record holding the settings it depends on);
     * {@code compute} runs at most once per key and endpoint set, on whichever thread asks first.
     */
    <T> T shared(Object key, Function<HostSet, T> compute);
}
