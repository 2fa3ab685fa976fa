package yastack.server.admin;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import yastack.kernel.stats.StatsStore;

/**
 * The stats store in Prometheus exposition format, with Envoy's tag extraction so dashboards
 * written for Envoy map by swapping the {@code envoy_} prefix for {@code yastack_}: the entity
 * in a stat's path becomes a label ({@code cluster.api.upstream_rq_total} is
 * {@code yastack_cluster_upstream_rq_total{envoy_cluster_name="api"}}), status classes become
 * {@code envoy_response_code_class} ({@code upstream_rq_2xx} is {@code upstream_rq_xx} with
 * class "2"), and histograms are Prometheus histograms over Envoy's default buckets in
 * milliseconds, with the exact percentiles beside them as {@code <name>_percentile} gauges.
 */
final class PrometheusFormat {
    private static final Pattern UNSAFE = Pattern.compile("[^a-zA-Z0-9_]");
    private static final Pattern CODE_CLASS = Pattern.compile("(.*)_([1-5])xx");
    /** Envoy's default histogram buckets, in milliseconds. */
    static final double[] BUCKETS_MS = {0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000, 60_000,
            300_000, 600_000, 1_800_000, 3_600_000};
    private static final double[] PERCENTILES = {50, 90, 99, 99.9};

    private PrometheusFormat() {}

    static String render(StatsStore stats) {
        StringBuilder sb = new StringBuilder(32 * 1024);
        emit(sb, stats.counterValues(), "counter");
        emit(sb, stats.gaugeValues(), "gauge");
        Map<String, StringBuilder> buckets = new TreeMap<>();
        Map<String, StringBuilder> percentiles = new TreeMap<>();
        stats.histogramValues().forEach((stat, h) -> {
            Metric m = Metric.of(stat);
            StringBuilder b = buckets.computeIfAbsent(m.name(), k -> new StringBuilder());
            for (double le : BUCKETS_MS) {
                long count = h.getTotalCount() == 0 ? 0 : h.getCountBetweenValues(0, (long) (le * 1000));
                sample(b, m.name() + "_bucket", m.labels(), "le", number(le), Long.toString(count));
            }
            sample(b, m.name() + "_bucket", m.labels(), "le", "+Inf", Long.toString(h.getTotalCount()));
            sample(b, m.name() + "_sum", m.labels(), null, null, number(h.getTotalCount() == 0 ? 0 : h.getMean() * h.getTotalCount() / 1000.0));
            sample(b, m.name() + "_count", m.labels(), null, null, Long.toString(h.getTotalCount()));
            StringBuilder p = percentiles.computeIfAbsent(m.name() + "_percentile", k -> new StringBuilder());
            for (double q : PERCENTILES) {
                sample(p, m.name() + "_percentile", m.labels(), "percentile", number(q),
                        h.getTotalCount() == 0 ? "NaN" : number(h.getValueAtPercentile(q) / 1000.0));
            }
        });
        buckets.forEach((name, lines) -> sb.append("# TYPE ").append(name).append(" histogram\n").append(lines));
        percentiles.forEach((name, lines) -> sb.append("# TYPE ").append(name).append(" gauge\n").append(lines));
        return sb.toString();
    }

    private static void emit(StringBuilder sb, Map<String, Long> values, String type) {
        Map<String, StringBuilder> families = new TreeMap<>();
        values.forEach((stat, value) -> {
            Metric m = Metric.of(stat);
            sample(families.computeIfAbsent(m.name(), k -> new StringBuilder()), m.name(), m.labels(), null, null, Long.toString(value));
        });
        families.forEach((name, lines) -> sb.append("# TYPE ").append(name).append(' ').append(type).append('\n').append(lines));
    }

    private static void sample(StringBuilder sb, String name, List<String[]> labels, String extraName, String extraValue, String value) {
        sb.append(name);
        if (!labels.isEmpty() || extraName != null) {
            sb.append('{');
            boolean first = true;
            for (String[] l : labels) {
                if (!first) sb.append(',');
                first = false;
                sb.append(l[0]).append("=\"").append(escape(l[1])).append('"');
            }
            if (extraName != null) sb.append(first ? "" : ",").append(extraName).append("=\"").append(extraValue).append('"');
            sb.append('}');
        }
        sb.append(' ').append(value).append('\n');
    }

    private static String number(double d) {
        if (d == Math.rint(d) && Math.abs(d) < 1e15) return Long.toString((long) d);
        return String.format(Locale.ROOT, "%s", d);
    }

    private static String escape(String v) {
        return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    /** A stat as a metric family and its labels (name, value pairs), Envoy's tags first. */
    record Metric(String name, List<String[]> labels) {
        static Metric of(String stat) {
            String[] parts = stat.split("\\.");
            List<String[]> labels = new ArrayList<>(2);
            String family;
            String rest;
            if (parts[0].equals("vhost") && parts.length >= 5 && parts[2].equals("route")) {
                labels.add(new String[] {"envoy_virtual_host", parts[1]});
                labels.add(new String[] {"envoy_route", parts[3]});
                family = "vhost_route";
                rest = String.join("_", List.of(parts).subList(4, parts.length));
            } else {
                String label = switch (parts[0]) {
                    case "cluster" -> "envoy_cluster_name";
                    case "http", "tracing" -> "envoy_http_conn_manager_prefix";
                    case "listener" -> "envoy_listener_name";
                    case "plugin" -> "plugin";
                    case "script" -> "script";
                    case "stack" -> "interface";
                    case "worker" -> "worker";
                    default -> null;
                };
                if (label == null || parts.length < 3) return new Metric(sanitize("yastack_" + stat), List.of());
                labels.add(new String[] {label, parts[1]});
                family = parts[0];
                rest = String.join("_", List.of(parts).subList(2, parts.length));
            }
            Matcher code = CODE_CLASS.matcher(rest);
            if (code.matches()) {
                rest = code.group(1) + "_xx";
                labels.add(new String[] {"envoy_response_code_class", code.group(2)});
            }
            return new Metric(sanitize("yastack_" + family + "_" + rest), List.copyOf(labels));
        }

        private static String sanitize(String s) {
            return UNSAFE.matcher(s).replaceAll("_");
        }
    }
}
