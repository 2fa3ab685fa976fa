package yastack.xds;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import yastack.api.config.Bootstrap;
import yastack.api.config.Cluster;
import yastack.api.config.Endpoint;
import yastack.api.config.Listener;
import yastack.api.config.ListenerTls;
import yastack.api.config.RouteConfig;
import yastack.xds.translate.ClusterResource;
import yastack.xds.translate.ListenerResource;
import yastack.xds.translate.Rejection;
import yastack.xds.translate.RouteTranslator;
import yastack.xds.translate.SecretResource;

/**
 * Puts the config together: the file's static part plus the dynamic resources that are
 * warm. A cluster is warm once its endpoints (EDS) have arrived; a listener once its routes
 * (RDS), its TLS secrets (SDS) and every cluster it names have; a cluster with TLS secrets
 * waits for them too. Until then an earlier version
 * keeps serving, and a new resource waits, at most for the initial fetch timeout, after which
 * it is used as it is (a listener without routes answers 404, a cluster without endpoints
 * 503), as Envoy does; a listener without its secrets has nothing to serve TLS with and waits on.
 */
final class Composer {
    /** What one composition decided. */
    record Result(Bootstrap config, Map<String, Listener> listeners, Map<String, Cluster> clusters,
                  Set<String> warmingListeners, Set<String> warmingClusters, Instant nextDeadline) {}

    private final Duration listenerTimeout;
    private final Duration clusterTimeout;
    /** When each still-warming resource (by type and name) started waiting. */
    private final Map<String, Instant> warmingSince = new HashMap<>();

    /** Timeouts of zero wait for ever. */
    Composer(Duration listenerTimeout, Duration clusterTimeout) {
        this.listenerTimeout = listenerTimeout;
        this.clusterTimeout = clusterTimeout;
    }

    Result compose(Bootstrap file, Map<String, Accepted> listeners, Map<String, Accepted> routes, Map<String, Accepted> secrets,
                   Map<String, Accepted> clusters, Map<String, Accepted> endpoints,
                   Map<String, Listener> activeListeners, Map<String, Cluster> activeClusters, Instant now) throws Rejection {
        Map<String, Instant> since = new HashMap<>();
        Instant[] next = {null};
        Map<String, Cluster> outClusters = new LinkedHashMap<>();
        Set<String> warmingClusters = new HashSet<>();
        for (var e : clusters.entrySet()) {
            ClusterResource cr = (ClusterResource) e.getValue().translated();
            Cluster candidate = cr.cluster();
            if (!secrets.keySet().containsAll(cr.secrets().names())) {
                // Without its certificate or CA it cannot talk to its upstreams: the old version serves, or nothing.
                if (activeClusters.containsKey(e.getKey())) outClusters.put(e.getKey(), activeClusters.get(e.getKey()));
                warmingClusters.add(e.getKey());
                continue;
            }
            if (!cr.secrets().isEmpty()) {
                candidate = candidate.toBuilder().setTls(cr.secrets().fill(candidate.getTls(), name -> secret(secrets, name))).build();
            }
            Cluster active = null;
            if (cr.edsServiceName() == null) {
                active = candidate;
            } else if (endpoints.containsKey(cr.edsServiceName())) {
                @SuppressWarnings("unchecked")
                List<Endpoint> eps = (List<Endpoint>) endpoints.get(cr.edsServiceName()).translated();
                active = candidate.toBuilder().addAllEndpoints(eps).build();
            } else if (activeClusters.containsKey(e.getKey())) {
                active = activeClusters.get(e.getKey());
            } else if (waitedOut("c:" + e.getKey(), clusterTimeout, now, since, next)) {
                active = candidate;
            }
            if (active != null) outClusters.put(e.getKey(), active);
            else warmingClusters.add(e.getKey());
        }
        Set<String> known = new HashSet<>(outClusters.keySet());
        file.getClustersList().forEach(c -> known.add(c.getName()));
        Map<String, Listener> outListeners = new LinkedHashMap<>();
        Set<String> warmingListeners = new HashSet<>();
        for (var e : listeners.entrySet()) {
            ListenerResource lr = (ListenerResource) e.getValue().translated();
            Listener candidate = lr.listener();
            Set<String> named = lr.clusters();
            if (!secrets.keySet().containsAll(lr.secrets().names())) {
                if (activeListeners.containsKey(e.getKey())) outListeners.put(e.getKey(), activeListeners.get(e.getKey()));
                warmingListeners.add(e.getKey());
                continue;
            }
            if (!lr.secrets().isEmpty()) {
                ListenerTls tls = lr.secrets().fill(candidate.getTls(), name -> secret(secrets, name));
                candidate = candidate.toBuilder().setTls(tls).build();
            }
            boolean routesHere = true;
            if (lr.rdsName() != null) {
                Accepted rc = routes.get(lr.rdsName());
                if (rc != null) {
                    RouteConfig table = (RouteConfig) rc.translated();
                    candidate = withRoutes(candidate, table);
                    named = RouteTranslator.clusters(table);
                } else {
                    routesHere = false;
                }
            }
            Listener active = null;
            if (routesHere && known.containsAll(named)) {
                active = candidate;
            } else if (activeListeners.containsKey(e.getKey())) {
                active = activeListeners.get(e.getKey());
                // Still waiting on the new version: it may wait out the timeout too.
                if (waitedOut("l:" + e.getKey(), listenerTimeout, now, since, next)) active = routesHere ? candidate : active;
            } else if (waitedOut("l:" + e.getKey(), listenerTimeout, now, since, next)) {
                active = routesHere ? candidate : withRoutes(candidate, RouteConfig.getDefaultInstance());
            }
            if (active != null) outListeners.put(e.getKey(), active);
            if (active == null || active != candidate) warmingListeners.add(e.getKey());
        }
        warmingSince.keySet().retainAll(since.keySet());
        since.forEach(warmingSince::putIfAbsent);
        Bootstrap config = file.toBuilder().addAllListeners(outListeners.values()).addAllClusters(outClusters.values()).build();
        return new Result(config, outListeners, outClusters, warmingListeners, warmingClusters, next[0]);
    }

    private static SecretResource secret(Map<String, Accepted> secrets, String name) {
        return (SecretResource) secrets.get(name).translated();
    }

    private static Listener withRoutes(Listener l, RouteConfig routes) {
        return l.toBuilder().setHttp(l.getHttp().toBuilder().setRouteConfig(routes)).build();
    }

    /**
     * Whether the resource {@code key} has waited its timeout; records since when it waits
     * and the earliest moment a wait runs out.
     */
    private boolean waitedOut(String key, Duration timeout, Instant now, Map<String, Instant> since, Instant[] next) {
        Instant start = warmingSince.getOrDefault(key, now);
        since.put(key, start);
        if (timeout.isZero()) return false;
        Instant deadline = start.plus(timeout);
        if (!now.isBefore(deadline)) return true;
        if (next[0] == null || deadline.isBefore(next[0])) next[0] = deadline;
        return false;
    }
}
