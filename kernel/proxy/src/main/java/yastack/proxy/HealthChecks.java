package yastack.proxy;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import yastack.proxy.cluster.ClusterRuntime;

/**
 * The active health checkers of the current snapshot's clusters. They run on the first
 * worker, through its connect path; a reload starts the new snapshot's checkers and stops
 * the ones they replace.
 */
final class HealthChecks {
    private final ProxyWorker worker;
    private Map<ClusterRuntime, HealthChecker> running = Map.of();

    HealthChecks(ProxyWorker worker) {
        this.worker = worker;
    }

    /** Checks the clusters of {@code s}: a cluster whose runtime is the same keeps its checker (a DNS update replaced another). */
    synchronized void follow(ProxySnapshot s) {
        Map<ClusterRuntime, HealthChecker> old = new IdentityHashMap<>(running);
        Map<ClusterRuntime, HealthChecker> next = new IdentityHashMap<>();
        List<HealthChecker> fresh = new ArrayList<>();
        for (ClusterRuntime c : s.clusters().values()) {
            if (c.healthCheck() == null) continue;
            HealthChecker kept = old.remove(c);
            if (kept == null) {
                kept = new HealthChecker(c, s.clusterTls().get(c.name()), worker);
                fresh.add(kept);
            }
            next.put(c, kept);
        }
        running = next;
        old.values().forEach(HealthChecker::stop);
        fresh.forEach(HealthChecker::start);
    }

    synchronized void stop() {
        running.values().forEach(HealthChecker::stop);
        running = Map.of();
    }
}
