package yastack.config;

import com.google.protobuf.Value;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import yastack.api.config.AccessLog;
import yastack.api.config.AccessLogFilter;
import yastack.api.config.ComparisonFilter;
import yastack.api.config.Tracing;

/**
 * Checks of what operators watch the proxy through: access logs (formats given once,
 * filters in range) and tracing (endpoint, sampling). The command operators inside a format
 * are the access-log plugin's to parse; an unknown one fails start or reload naming its field.
 */
final class ObservabilityValidator {
    /** Envoy's response flags that the proxy sets (see {@code StreamSummary.responseFlags}). */
    private static final Set<String> RESPONSE_FLAGS = Set.of("UF", "UH", "UT", "UR", "URX", "UO", "UPE", "NR", "NC",
            "DPE", "DC", "FR");

    private final Findings f;

    ObservabilityValidator(Findings f) {
        this.f = f;
    }

    void accessLogs(String path, List<AccessLog> logs) {
        for (int i = 0; i < logs.size(); i++) accessLog(path + "[" + i + "]", logs.get(i));
    }

    private void accessLog(String path, AccessLog log) {
        if (f.written(path + ".path") && log.getPath().isBlank()) f.error(path + ".path", "must not be empty");
        f.exclusive(path, false, "format", f.given(path + ".format", log.getFormat()), "log_format", log.hasLogFormat());
        if (f.written(path + ".format") && log.getFormat().isBlank()) f.error(path + ".format", "must not be empty");
        if (log.hasLogFormat()) {
            var lf = log.getLogFormat();
            String p = path + ".log_format";
            f.exclusive(p, true, "text_format", f.given(p + ".text_format", lf.getTextFormat()), "json_format", lf.hasJsonFormat());
            if (lf.hasJsonFormat()) jsonFormat(p + ".json_format", lf.getJsonFormat().getFieldsMap());
        }
        if (f.written(path + ".buffer_lines") && (log.getBufferLines() < 1 || log.getBufferLines() > 10_000_000)) {
            f.error(path + ".buffer_lines", "must be 1..10000000, got " + Integer.toUnsignedString(log.getBufferLines()));
        }
        if (log.hasFilter()) filter(path + ".filter", log.getFilter());
    }

    /** Values are operator strings, or objects of them; numbers and booleans are written as they are. */
    private void jsonFormat(String path, Map<String, Value> fields) {
        if (fields.isEmpty()) f.error(path, "needs at least one key");
        fields.forEach((k, v) -> {
            switch (v.getKindCase()) {
                case STRUCT_VALUE -> jsonFormat(path + "." + k, v.getStructValue().getFieldsMap());
                case LIST_VALUE -> f.error(path + "." + k, "lists are not supported in json_format; use an object or a string");
                default -> { }
            }
        });
    }

    private void filter(String path, AccessLogFilter filter) {
        if (filter.hasStatusCodeFilter()) {
            ComparisonFilter c = filter.getStatusCodeFilter();
            if (c.getValue() > 599) f.error(path + ".status_code_filter.value", "must be 0..599, got " + Integer.toUnsignedString(c.getValue()));
        }
        if (filter.hasRuntimeFilter()) {
            double pct = filter.getRuntimeFilter().getPercentSampled();
            if (!(pct >= 0 && pct <= 100)) f.error(path + ".runtime_filter.percent_sampled", "must be 0..100, got " + pct);
        }
        if (filter.hasResponseFlagFilter()) {
            var flags = filter.getResponseFlagFilter().getFlagsList();
            for (int i = 0; i < flags.size(); i++) {
                if (!RESPONSE_FLAGS.contains(flags.get(i))) {
                    f.error(path + ".response_flag_filter.flags[" + i + "]", "unknown response flag '" + flags.get(i) + "'; known: "
                            + String.join(", ", RESPONSE_FLAGS.stream().sorted().toList()));
                }
            }
        }
    }

    void tracing(String path, Tracing t) {
        if (f.written(path + ".provider") && t.getProvider().isBlank()) f.error(path + ".provider", "must not be empty");
        if (f.given(path + ".endpoint", t.getEndpoint())) endpoint(path + ".endpoint", t.getEndpoint());
        if (f.written(path + ".service_name") && t.getServiceName().isBlank()) f.error(path + ".service_name", "must not be empty");
        if (f.written(path + ".max_queued_spans") && (t.getMaxQueuedSpans() < 1 || t.getMaxQueuedSpans() > 1_000_000)) {
            f.error(path + ".max_queued_spans", "must be 1..1000000, got " + Integer.toUnsignedString(t.getMaxQueuedSpans()));
        }
        f.positive(path + ".export_timeout", t.hasExportTimeout(), t.getExportTimeout());
        t.getHeadersMap().forEach((name, value) -> f.headerName(path + ".headers." + name, name));
        if (t.hasSampling()) {
            var s = t.getSampling();
            if (s.hasRatio() && !(s.getRatio() >= 0 && s.getRatio() <= 1)) {
                f.error(path + ".sampling.ratio", "must be 0..1, got " + s.getRatio());
            }
            for (int i = 0; i < s.getForceHeadersCount(); i++) f.headerName(path + ".sampling.force_headers[" + i + "]", s.getForceHeaders(i));
        }
    }

    private void endpoint(String path, String url) {
        try {
            URI u = new URI(url);
            String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https")) f.error(path, "must be an http:// or https:// URL, got '" + url + "'");
            else if (u.getHost() == null) f.error(path, "has no host: '" + url + "'");
        } catch (URISyntaxException e) {
            f.error(path, "is not a URL: " + e.getMessage());
        }
    }
}
