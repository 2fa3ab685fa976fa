package yastack.proxy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import yastack.api.PluginConfigException;
import yastack.api.config.Bootstrap;
import yastack.api.config.Cluster;
import yastack.api.config.Listener;
import yastack.kernel.plugin.PluginErrors;
import yastack.kernel.plugin.PluginKind;
import yastack.kernel.plugin.PluginRegistry;
import yastack.proxy.cluster.ClusterRuntime;
import yastack.proxy.filter.NetworkFilterChain;
import yastack.proxy.tls.ClientTls;
import yastack.proxy.trace.ListenerTracing;
import yastack.proxy.trace.Tracers;

/**
 * Everything the data path reads, compiled from one config. Published atomically; a
 * request uses the snapshot it started on until it finishes.
 */
record ProxySnapshot(Bootstrap config, Map<String, ListenerRuntime> listeners, Map<String, ClusterRuntime> clusters,
                     Map<String, ClientTls> clusterTls, Map<String, List<NetworkFilterChain.Entry>> tcpFilters,
                     PluginErrors pluginErrors) {
    /**
     * @param previous the snapshot this one replaces, or null: its clusters that did not change
     *                 are kept as they are (their pools, balancers and health with them), and
     *                 the ones whose endpoints alone changed keep what they knew of the rest
     */
    static ProxySnapshot compile(Bootstrap config, ProxySnapshot previous, Path baseDir,
                                 PluginRegistry plugins, Scripts scripts, Tracers tracers) {
        Map<String, ClusterRuntime> clusters = new LinkedHashMap<>();
        Map<String, ClientTls> tls = new HashMap<>();
        for (Cluster c : config.getClustersList()) {
            ClusterRuntime old = previous == null ? null : previous.clusters().get(c.getName());
            // A TLS cluster is always made anew: a reload re-reads its CA file.
            if (old != null && old.config().equals(c) && !c.hasTls()) {
                clusters.put(c.getName(), old);
                continue;
            }
            clusters.put(c.getName(), new ClusterRuntime(c, old));
            if (c.hasTls()) tls.put(c.getName(), new ClientTls(c.getName(), c.getTls(), baseDir, c.hasHttp2ProtocolOptions()));
        }
        Map<String, ListenerRuntime> listeners = new LinkedHashMap<>();
        Map<String, List<NetworkFilterChain.Entry>> tcpFilters = new HashMap<>();
        for (int i = 0; i < config.getListenersCount(); i++) {
            Listener l = config.getListeners(i);
            if (l.hasHttp()) listeners.put(l.getName(), ListenerRuntime.compile(i, l, config.getAccessLogList(), plugins, scripts, tracers));
            if (l.hasTcp()) {
                List<NetworkFilterChain.Entry> entries = new ArrayList<>();
                for (int f = 0; f < l.getTcp().getFiltersCount(); f++) {
                    var ref = l.getTcp().getFilters(f);
                    String path = "listeners[" + i + "].tcp.filters[" + f + "]";
                    try {
                        if (!ref.getScript().isEmpty()) throw new PluginConfigException(path + ".script: L4 filters are plugins (name:), not scripts");
                        entries.add(new NetworkFilterChain.Entry(ref.getName(), plugins.createNetworkFilter(ref.getName(), ref.getConfig(), path)));
                    } catch (PluginConfigException e) {
                        throw new IllegalStateException(e.getMessage(), e);
                    }
                }
                tcpFilters.put(l.getName(), List.copyOf(entries));
            }
        }
        // Every cluster's balancer is a plugin: check its name and config before anything is applied.
        for (int i = 0; i < config.getClustersCount(); i++) {
            ClusterRuntime c = clusters.get(config.getClusters(i).getName());
            try {
                plugins.validate(PluginKind.LB, c.lbPolicy(), c.lbConfig(), "clusters[" + i + "].lb_policy");
            } catch (PluginConfigException e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
        }
        return new ProxySnapshot(config, Map.copyOf(listeners), Collections.unmodifiableMap(clusters), Map.copyOf(tls),
                Map.copyOf(tcpFilters), plugins.errors());
    }

    /** This snapshot with {@code cluster} in place of the runtime of the same name (a DNS answer changed it). */
    ProxySnapshot withCluster(ClusterRuntime cluster) {
        Map<String, ClusterRuntime> next = new LinkedHashMap<>(clusters);
        next.put(cluster.name(), cluster);
        return new ProxySnapshot(config, listeners, Collections.unmodifiableMap(next), clusterTls, tcpFilters, pluginErrors);
    }

    /** The tracing of every listener that traces. */
    Set<ListenerTracing> tracings() {
        Set<ListenerTracing> out = new HashSet<>();
        for (ListenerRuntime l : listeners.values()) if (l.tracing() != null) out.add(l.tracing());
        return out;
    }
}
