package yastack.server.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import yastack.kernel.stats.StatsStore;
import yastack.kernel.util.Logs;

/**
 * The last log line of a process: the totals an operator would otherwise have to have
 * scraped just before it went, so nothing counted is lost with the process (since the start:
 * an admin reset of the counters does not take from them).
 */
final class ExitReport {
    private static final System.Logger LOG = Logs.get("yastack");

    private ExitReport() {}

    static void log(StatsStore stats, int exitCode) {
        List<String> totals = new ArrayList<>();
        for (Map.Entry<String, Long> e : stats.counterTotals().entrySet()) {
            String k = e.getKey();
            if (k.endsWith(".downstream_cx_total") || k.endsWith(".downstream_rq_total") || k.endsWith(".downstream_rq_5xx")
                    || k.endsWith(".upstream_rq_total") || k.endsWith(".upstream_cx_connect_fail")) {
                totals.add(k + "=" + e.getValue());
            }
        }
        LOG.log(System.Logger.Level.INFO, "exiting with code " + exitCode + "; totals: "
                + (totals.isEmpty() ? "none" : String.join(" ", totals)));
    }
}
