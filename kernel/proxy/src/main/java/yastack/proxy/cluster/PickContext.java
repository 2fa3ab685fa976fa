package yastack.proxy.cluster;

import java.net.InetSocketAddress;
import yastack.api.HashKey;
import yastack.api.HttpRequestHead;
import yastack.api.LoadBalancer;

/**
 * The {@link LoadBalancer.LbContext} of one cluster on one worker, pointed at the request
 * being balanced before each pick; the hash key is computed only if the balancer asks.
 */
public final class PickContext implements LoadBalancer.LbContext {
    private final ClusterRuntime cluster;
    private Balanced target;
    private HashKey key;
    private boolean hashed;
    private long hash;

    public PickContext(ClusterRuntime cluster) {
        this.cluster = cluster;
    }

    /** Points this context at {@code target}, hashed by {@code routeKey} (null: the cluster's key). */
    public PickContext reset(Balanced target, HashKey routeKey) {
        this.target = target;
        this.key = routeKey != null ? routeKey : cluster.hashKey();
        this.hashed = false;
        return this;
    }

    @Override
    public HttpRequestHead request() {
        return target.requestHead();
    }

    @Override
    public InetSocketAddress downstreamRemoteAddress() {
        return target.remoteAddress();
    }

    @Override
    public String cluster() {
        return cluster.name();
    }

    @Override
    public long hashKey() {
        if (!hashed) {
            hash = target.hashKey(key);
            hashed = true;
        }
        return hash;
    }
}
