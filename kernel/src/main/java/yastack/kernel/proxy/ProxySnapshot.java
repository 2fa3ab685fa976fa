package yastack.kernel.proxy;

import java.util.LinkedHashMap;
import java.util.Map;
import yastack.api.config.Bootstrap;
import yastack.api.config.Cluster;
import yastack.api.config.Listener;
import yastack.kernel.cluster.ClusterRuntime;
import yastack.kernel.tls.ClientTls;

/**
 * Everything the data path reads, compiled from one config. Published atomically; a
 * request uses the snapshot it started on until it finishes.
 */
record ProxySnapshot(Bootstrap config, Map<String, ListenerRuntime> listeners, Map<String, ClusterRuntime> clusters,
                     Map<String, ClientTls> clusterTls) {
    static ProxySnapshot compile(Bootstrap config, java.nio.file.Path baseDir, AccessLog defaultLog) {
        Map<String, ClusterRuntime> clusters = new LinkedHashMap<>();
        Map<String, ClientTls> tls = new java.util.HashMap<>();
        for (Cluster c : config.getClustersList()) {
            clusters.put(c.getName(), new ClusterRuntime(c));
            if (c.hasTls()) tls.put(c.getName(), new ClientTls(c.getName(), c.getTls(), baseDir));
        }
        Map<String, ListenerRuntime> listeners = new LinkedHashMap<>();
        for (Listener l : config.getListenersList()) {
            if (l.hasHttp()) listeners.put(l.getName(), ListenerRuntime.compile(l, defaultLog));
        }
        return new ProxySnapshot(config, Map.copyOf(listeners), java.util.Collections.unmodifiableMap(clusters), Map.copyOf(tls));
    }
}
