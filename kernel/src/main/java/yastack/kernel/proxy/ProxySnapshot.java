package yastack.kernel.proxy;

import java.util.LinkedHashMap;
import java.util.Map;
import yastack.api.config.Bootstrap;
import yastack.api.config.Cluster;
import yastack.api.config.Listener;
import yastack.kernel.cluster.ClusterRuntime;

/**
 * Everything the data path reads, compiled from one config. Published atomically; a
 * request uses the snapshot it started on until it finishes.
 */
record ProxySnapshot(Bootstrap config, Map<String, ListenerRuntime> listeners, Map<String, ClusterRuntime> clusters) {
    static ProxySnapshot compile(Bootstrap config, AccessLog defaultLog) {
        Map<String, ClusterRuntime> clusters = new LinkedHashMap<>();
        for (Cluster c : config.getClustersList()) clusters.put(c.getName(), new ClusterRuntime(c));
        Map<String, ListenerRuntime> listeners = new LinkedHashMap<>();
        for (Listener l : config.getListenersList()) {
            if (l.hasHttp()) listeners.put(l.getName(), ListenerRuntime.compile(l, defaultLog));
        }
        return new ProxySnapshot(config, Map.copyOf(listeners), java.util.Collections.unmodifiableMap(clusters));
    }
}
