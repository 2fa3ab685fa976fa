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
        List<HealthChecker> old = running;
        List<HealthChecker> fresh = new ArrayList<>();
        for (ClusterRuntime c : s.clusters().values()) {
            if (c.healthCheck() != null) fresh.add(new HealthChecker(c, s.clusterTls().get(c.name()), worker));
        }
        running = List.copyOf(fresh);
        old.forEach(HealthChecker::stop);
        fresh.forEach(HealthChecker::start);
    }

    synchronized void stop() {
        running.forEach(HealthChecker::stop);
        running = List.of();
    }
}
