package yastack.server.admin;

import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.HdrHistogram.Histogram;
import yastack.kernel.stats.StatsStore;

/** Renders the stats store as Envoy-style text ({@link PrometheusFormat} does Prometheus's). */
final class StatsFormat {
    private StatsFormat() {}

    /**
     * Which stats {@code /stats} shows (Envoy's query): names matching {@code filter} (null: all),
     * of one {@code type} (null: all; else "Counters", "Gauges" or "Histograms"), and with
     * {@code usedOnly} none that never moved: a counter that has not counted since the start (one
     * at 0 after {@code /reset_counters} has, and shows, as Envoy's used flag keeps it), a gauge at
     * 0, a histogram with no value.
     */
    record Query(Pattern filter, String type, boolean usedOnly) {
        static final Set<String> TYPES = Set.of("All", "Counters", "Gauges", "Histograms");

        boolean shows(String name, String kind, long value) {
            return (type == null || type.equals("All") || type.equals(kind)) && (!usedOnly || value != 0)
                    && (filter == null || filter.matcher(name).find());
        }
    }

    /** The counters and gauges a query shows, by name. */
    static Map<String, Long> values(StatsStore stats, Query q) {
        Map<String, Long> out = new TreeMap<>();
        Map<String, Long> counters = stats.counterValues();
        // Whether a counter is used is whether it ever counted: its total since the start.
        Map<String, Long> used = q.usedOnly() ? stats.counterTotals() : counters;
        counters.forEach((name, v) -> { if (q.shows(name, "Counters", used.getOrDefault(name, v))) out.put(name, v); });
        stats.gaugeValues().forEach((name, v) -> { if (q.shows(name, "Gauges", v)) out.put(name, v); });
        return out;
    }

    /** {@code name: value} lines; histograms as percentiles in milliseconds (as Envoy prints them). */
    static String text(StatsStore stats, Query q) {
        StringBuilder sb = new StringBuilder(8192);
        values(stats, q).forEach((name, value) -> sb.append(name).append(": ").append(value).append('\n'));
        stats.histogramValues().forEach((name, h) -> {
            if (!q.shows(name, "Histograms", h.getTotalCount())) return;
            sb.append(name).append(": ");
            if (h.getTotalCount() == 0) {
                sb.append("No recorded values\n");
                return;
            }
            sb.append("P50(").append(ms(h, 50)).append(") P90(").append(ms(h, 90)).append(") P99(").append(ms(h, 99))
              .append(") P99.9(").append(ms(h, 99.9)).append(") P100(").append(ms(h, 100)).append(") count(")
              .append(h.getTotalCount()).append(")\n");
        });
        return sb.toString();
    }

    private static String ms(Histogram h, double percentile) {
        return String.format(Locale.ROOT, "%.3f", h.getValueAtPercentile(percentile) / 1000.0);
    }
}
