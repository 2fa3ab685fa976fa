package yastack.proxy.cluster;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import yastack.kernel.stats.Counter;

/**
 * Envoy's per-host counters of one endpoint, shown by {@code /clusters} (not in {@code /stats}:
 * one set per endpoint would swamp it). Each worker writes cells of its own; a read sums them.
 * They count from when the cluster was last configured.
 */
public final class EndpointStats {
    /** One worker's cells. */
    public static final class Cells {
        public final Counter cxTotal = new Counter();
        public final Counter cxActive = new Counter();
        public final Counter cxConnectFail = new Counter();
        public final Counter rqTotal = new Counter();
        public final Counter rqActive = new Counter();
        public final Counter rqSuccess = new Counter();
        public final Counter rqError = new Counter();
        public final Counter rqTimeout = new Counter();
    }

    private final Map<Integer, Cells> byWorker = new ConcurrentHashMap<>();

    /** Worker {@code index}'s cells (look them up once and keep them). */
    public Cells cells(int worker) {
        return byWorker.computeIfAbsent(worker, w -> new Cells());
    }

    /** The counters summed over workers, by Envoy's names. */
    public Map<String, Long> values() {
        long[] sums = new long[8];
        for (Cells c : byWorker.values()) {
            sums[0] += c.cxTotal.get();
            sums[1] += c.cxActive.get();
            sums[2] += c.cxConnectFail.get();
            sums[3] += c.rqTotal.get();
            sums[4] += c.rqActive.get();
            sums[5] += c.rqSuccess.get();
            sums[6] += c.rqError.get();
            sums[7] += c.rqTimeout.get();
        }
        Map<String, Long> out = new LinkedHashMap<>();
        String[] names = {"cx_total", "cx_active", "cx_connect_fail", "rq_total", "rq_active", "rq_success", "rq_error", "rq_timeout"};
        for (int i = 0; i < names.length; i++) out.put(names[i], sums[i]);
        return out;
    }
}
