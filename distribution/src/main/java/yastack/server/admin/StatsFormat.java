package yastack.server.admin;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.HdrHistogram.Histogram;
import yastack.kernel.stats.StatsStore;

/** Renders the stats store as Envoy-style text ({@link PrometheusFormat} does Prometheus's). */
final class StatsFormat {
    private StatsFormat() {}

    /** {@code name: value} lines; histograms as percentiles in milliseconds (as Envoy prints them). */
    static String text(StatsStore stats, Pattern filter) {
        StringBuilder sb = new StringBuilder(8192);
        Map<String, Long> all = new TreeMap<>(stats.counterValues());
        all.putAll(stats.gaugeValues());
        all.forEach((name, value) -> {
            if (filter == null || filter.matcher(name).find()) sb.append(name).append(": ").append(value).append('\n');
        });
        stats.histogramValues().forEach((name, h) -> {
            if (filter != null && !filter.matcher(name).find()) return;
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
