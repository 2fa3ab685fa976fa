package yastack.proxy;

import java.util.HashMap;
import java.util.Map;
import yastack.kernel.stats.Counter;
import yastack.kernel.stats.Histogram;
import yastack.kernel.stats.WorkerStats;

/**
 * One worker's cells for one named route, under Envoy's route stat names
 * ({@code vhost.<virtual host>.route.<route>.upstream_rq_total|_2xx|_time}): requests the route
 * sent to a cluster, by status class, and their time from request head to the end of the
 * response. Routes without a name have none (as Envoy's without a stat_prefix).
 */
final class RouteStats {
    /** A route table bigger than this gets no more per-route cells (a router making names per request). */
    static final int MAX_ROUTES = 4096;

    final Counter rqTotal, rq1xx, rq2xx, rq3xx, rq4xx, rq5xx;
    final Histogram rqTime;

    private RouteStats(WorkerStats s, String virtualHost, String route) {
        String p = "vhost." + virtualHost + ".route." + route + ".";
        rqTotal = s.counter(p + "upstream_rq_total");
        rq1xx = s.counter(p + "upstream_rq_1xx");
        rq2xx = s.counter(p + "upstream_rq_2xx");
        rq3xx = s.counter(p + "upstream_rq_3xx");
        rq4xx = s.counter(p + "upstream_rq_4xx");
        rq5xx = s.counter(p + "upstream_rq_5xx");
        rqTime = s.histogram(p + "upstream_rq_time");
    }

    void record(int status, long nanos) {
        rqTotal.inc();
        switch (status / 100) {
            case 0 -> { } // reset before a response: counted in total only
            case 1 -> rq1xx.inc();
            case 2 -> rq2xx.inc();
            case 3 -> rq3xx.inc();
            case 4 -> rq4xx.inc();
            default -> rq5xx.inc();
        }
        rqTime.recordMicros(nanos / 1000);
    }

    /** A worker's route cells, found by name once per route (the worker's thread only). */
    static final class Cache {
        private final WorkerStats cells;
        private final Map<String, Map<String, RouteStats>> byHost = new HashMap<>();
        private int size;

        Cache(WorkerStats cells) {
            this.cells = cells;
        }

        /** The cells of {@code route} in {@code virtualHost}; null past {@link #MAX_ROUTES}. */
        RouteStats get(String virtualHost, String route) {
            Map<String, RouteStats> routes = byHost.computeIfAbsent(virtualHost, k -> new HashMap<>());
            RouteStats r = routes.get(route);
            if (r == null && size < MAX_ROUTES) {
                r = new RouteStats(cells, virtualHost, route);
                routes.put(route, r);
                size++;
            }
            return r;
        }
    }
}
