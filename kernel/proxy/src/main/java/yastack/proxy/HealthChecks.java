package yastack.proxy;

import java.util.ArrayList;
import java.util.List;
import yastack.proxy.cluster.ClusterRuntime;

/**
 * The active health checkers of the current snapshot's clusters. They run on the first
 * worker, through its connect path; a reload starts the new snapshot's checkers and stops
 * the ones they replace.
 */
final class HealthChecks {
    private final ProxyWorker worker;
    private List<HealthChecker> running = List.of();

    HealthChecks(ProxyWorker worker) {
        this.worker = worker;
    }

    synchronized void follow(ProxySnapshot s) {
        List<HealthChecker> old = new ArrayList<>(running);
        List<HealthChecker> next = new ArrayList<>();
        List<HealthChecker> fresh = new ArrayList<>();
        for (ClusterRuntime c : s.clusters().values()) {
            if (c.healthCheck() == null) continue;
            // A cluster the reload kept as it was keeps its checker (and its counts).
            HealthChecker same = old.stream().filter(h -> h.runtime() == c).findFirst().orElse(null);
            if (same != null) {
                old.remove(same);
                next.add(same);
            } else {
                HealthChecker h = new HealthChecker(c, s.clusterTls().get(c.name()), worker);
                next.add(h);
                fresh.add(h);
            }
        }
        running = List.copyOf(next);
        old.forEach(HealthChecker::stop);
        fresh.forEach(HealthChecker::start);
    }

    synchronized void stop() {
        running.forEach(HealthChecker::stop);
        running = List.of();
    }
}
