package yastack.server.admin;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.HdrHistogram.Histogram;
import yastack.kernel.stats.StatsStore;

/** Renders the stats store as Envoy-style text and as Prometheus exposition format. */
final class StatsFormat {
    private static final Pattern UNSAFE = Pattern.compile("[^a-zA-Z0-9_]");
    private static final double[] QUANTILES = {0.5, 0.9, 0.99, 0.999};

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

    static String prometheus(StatsStore stats) {
        StringBuilder sb = new StringBuilder(16384);
        emit(sb, stats.counterValues(), "counter");
        emit(sb, stats.gaugeValues(), "gauge");
        stats.histogramValues().forEach((name, h) -> {
            Metric m = Metric.of(name);
            sb.append("# TYPE ").append(m.name).append(" summary\n");
            for (double q : QUANTILES) {
                sb.append(m.name).append('{').append(m.labels).append(m.labels.isEmpty() ? "" : ",")
                  .append("quantile=\"").append(q).append("\"} ")
                  .append(h.getTotalCount() == 0 ? "NaN" : Double.toString(h.getValueAtPercentile(q * 100) / 1000.0)).append('\n');
            }
            String braces = m.labels.isEmpty() ? "" : "{" + m.labels + "}";
            sb.append(m.name).append("_sum").append(braces).append(' ')
              .append(h.getTotalCount() == 0 ? 0.0 : h.getMean() * h.getTotalCount() / 1000.0).append('\n');
            sb.append(m.name).append("_count").append(braces).append(' ').append(h.getTotalCount()).append('\n');
        });
        return sb.toString();
    }

    private static void emit(StringBuilder sb, Map<String, Long> values, String type) {
        Map<String, StringBuilder> families = new TreeMap<>();
        values.forEach((name, value) -> {
            Metric m = Metric.of(name);
            families.computeIfAbsent(m.name, k -> new StringBuilder())
                    .append(m.name).append(m.labels.isEmpty() ? "" : "{" + m.labels + "}").append(' ').append(value).append('\n');
        });
        families.forEach((name, lines) -> sb.append("# TYPE ").append(name).append(' ').append(type).append('\n').append(lines));
    }

    /**
     * A stat name as a Prometheus family plus labels: the entity segment becomes a label
     * ({@code cluster.api.upstream_rq_total} -> {@code yastack_cluster_upstream_rq_total{cluster="api"}}).
     */
    record Metric(String name, String labels) {
        static Metric of(String stat) {
            String[] parts = stat.split("\\.");
            String kind = parts[0];
            String label = switch (kind) {
                case "cluster" -> "cluster";
                case "listener", "http" -> "listener";
                case "plugin" -> "plugin";
                case "script" -> "script";
                case "stack" -> "interface";
                case "worker" -> "worker";
                default -> null;
            };
            if (label == null || parts.length < 3) return new Metric(sanitize("yastack_" + stat), "");
            String rest = String.join("_", Arrays.copyOfRange(parts, 2, parts.length));
            String value = parts[1].replace("\\", "\\\\").replace("\"", "\\\"");
            return new Metric(sanitize("yastack_" + kind + "_" + rest), label + "=\"" + value + "\"");
        }

        private static String sanitize(String s) {
            return UNSAFE.matcher(s).replaceAll("_");
        }
    }
}
