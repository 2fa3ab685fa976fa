package yastack.proxy;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import yastack.api.HttpRequestHead;
import yastack.api.LoadBalancer;
import yastack.api.UpstreamHost;
import yastack.proxy.cluster.Endpoint;
import yastack.proxy.filter.NettyRequestHead;

/** Runs an LB plugin (one instance per worker and cluster) over the cluster's healthy endpoints. */
final class PluginBalancer {
    private final LoadBalancer plugin;
    private final String cluster;
    private final Host[] hosts;
    private final List<Host> healthy = new ArrayList<>();

    PluginBalancer(LoadBalancer plugin, String cluster, List<Endpoint> endpoints) {
        this.plugin = plugin;
        this.cluster = cluster;
        this.hosts = new Host[endpoints.size()];
        for (int i = 0; i < hosts.length; i++) hosts[i] = new Host(i, endpoints.get(i));
    }

    /** An endpoint index, or -1 (no healthy endpoint, or the plugin declined: 503). */
    int pick(boolean[] usable, HttpExchange exchange, InetSocketAddress remote) {
        healthy.clear();
        for (int i = 0; i < hosts.length; i++) if (usable[i]) healthy.add(hosts[i]);
        HttpRequestHead head = new NettyRequestHead(exchange.request());
        int chosen = plugin.choose(healthy, new LoadBalancer.LbContext() {
            @Override public HttpRequestHead request() { return head; }
            @Override public InetSocketAddress downstreamRemoteAddress() { return remote; }
            @Override public String cluster() { return cluster; }
        });
        return chosen < 0 || chosen >= healthy.size() ? -1 : healthy.get(chosen).index;
    }

    void onRequestStart(int index) {
        hosts[index].active++;
    }

    void onRequestEnd(int index) {
        if (hosts[index].active > 0) hosts[index].active--;
    }

    private static final class Host implements UpstreamHost {
        final int index;
        final Endpoint endpoint;
        int active;

        Host(int index, Endpoint endpoint) {
            this.index = index;
            this.endpoint = endpoint;
        }

        @Override public String address() { return endpoint.host(); }
        @Override public int port() { return endpoint.port(); }
        @Override public int weight() { return endpoint.weight(); }
        @Override public int activeRequests() { return active; }
    }
}
