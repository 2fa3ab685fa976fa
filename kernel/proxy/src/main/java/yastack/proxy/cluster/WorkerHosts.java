package yastack.proxy.cluster;

import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import yastack.api.HostSet;
import yastack.api.UpstreamHost;

/**
 * A cluster's endpoints as one worker's load balancer sees them: which may be chosen for the
 * pick at hand, and this worker's requests in flight to each. One per cluster and worker,
 * refreshed before each pick and never copied, so picking allocates nothing.
 */
public final class WorkerHosts implements HostSet {
    private final ClusterRuntime cluster;
    private final List<Endpoint> endpoints;
    private final Host[] hosts;
    private final boolean[] usable;
    private int usableCount;

    public WorkerHosts(ClusterRuntime cluster) {
        this.cluster = cluster;
        this.endpoints = cluster.endpoints();
        this.hosts = new Host[endpoints.size()];
        for (int i = 0; i < hosts.length; i++) hosts[i] = new Host(endpoints.get(i));
        this.usable = new boolean[hosts.length];
    }

    /**
     * Marks the healthy endpoints usable; all of them when none is (Envoy's panic mode); and
     * not {@code avoid} (a retry's last endpoint, or -1) while another one is usable.
     */
    public void refresh(long nowNanos, int avoid) {
        int n = 0;
        for (int i = 0; i < usable.length; i++) {
            usable[i] = endpoints.get(i).health().healthy(nowNanos);
            if (usable[i]) n++;
        }
        if (n == 0) {
            Arrays.fill(usable, true);
            n = usable.length;
        }
        if (avoid >= 0 && usable[avoid] && n > 1) {
            usable[avoid] = false;
            n--;
        }
        usableCount = n;
    }

    public void requestStarted(int index) {
        hosts[index].active++;
    }

    public void requestEnded(int index) {
        if (hosts[index].active > 0) hosts[index].active--;
    }

    @Override
    public int size() {
        return hosts.length;
    }

    @Override
    public UpstreamHost host(int index) {
        return hosts[index];
    }

    @Override
    public boolean usable(int index) {
        return usable[index];
    }

    @Override
    public int usableCount() {
        return usableCount;
    }

    @Override
    public <T> T shared(Object key, Function<HostSet, T> compute) {
        // Looked up first, so a pick allocates no lambda once the value exists.
        T known = cluster.sharedIfPresent(key);
        return known != null ? known : cluster.shared(key, () -> compute.apply(this));
    }

    private static final class Host implements UpstreamHost {
        private final Endpoint endpoint;
        int active;

        Host(Endpoint endpoint) {
            this.endpoint = endpoint;
        }

        @Override public String address() { return endpoint.host(); }
        @Override public int port() { return endpoint.port(); }
        @Override public int weight() { return endpoint.weight(); }
        @Override public int activeRequests() { return active; }
    }
}
