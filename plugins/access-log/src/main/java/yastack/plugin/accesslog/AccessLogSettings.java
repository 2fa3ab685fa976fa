package yastack.plugin.accesslog;

import java.util.Locale;
import yastack.api.PluginConfig;
import yastack.api.PluginConfigException;
import yastack.api.config.AccessLog;
import yastack.api.config.AccessLogFilter;
import yastack.api.config.ComparisonFilter;
import yastack.api.config.ComparisonOp;
import yastack.api.config.LogFormat;

/**
 * One access log's settings: where, in what format, and which requests. A listener's
 * {@code access_log} entry arrives as the typed {@link AccessLog} message; the filter form
 * ({@code filters: [{name: access-log, config: {...}}]}) writes the same fields as a map.
 */
record AccessLogSettings(String path, RecordFormat format, LogFilter filter, int bufferLines) {
    static AccessLogSettings of(PluginConfig c) throws PluginConfigException {
        AccessLog log = c.message(AccessLog.class).orElse(null);
        return from(log != null ? log : fromMap(c), c.path());
    }

    private static AccessLogSettings from(AccessLog log, String field) throws PluginConfigException {
        String path = log.getPath().isEmpty() ? "stdout" : log.getPath();
        if (path.isBlank()) throw new PluginConfigException(field + ".path: must not be empty");
        if (!log.getFormat().isEmpty() && log.hasLogFormat()) {
            throw new PluginConfigException(field + ": has format and log_format; give at most one");
        }
        RecordFormat format;
        if (log.hasLogFormat()) {
            LogFormat lf = log.getLogFormat();
            String p = field + ".log_format";
            if (lf.getTextFormat().isEmpty() == !lf.hasJsonFormat()) {
                throw new PluginConfigException(p + ": needs exactly one of text_format or json_format");
            }
            format = lf.hasJsonFormat() ? RecordFormat.json(lf.getJsonFormat(), p + ".json_format")
                    : RecordFormat.text(lf.getTextFormat(), p + ".text_format");
        } else {
            String f = log.getFormat().isEmpty() ? "json" : log.getFormat();
            format = f.equals("json") ? RecordFormat.defaultJson() : RecordFormat.text(f, field + ".format");
        }
        int buffer = log.getBufferLines() == 0 ? 65_536 : log.getBufferLines();
        if (buffer < 1 || buffer > 10_000_000) throw new PluginConfigException(field + ".buffer_lines: must be in 1..10000000");
        return new AccessLogSettings(path, format, log.hasFilter() ? LogFilter.of(log.getFilter(), field + ".filter") : LogFilter.ALL,
                buffer);
    }

    /** The filter form's map, read into the message a listener's access_log is. */
    private static AccessLog fromMap(PluginConfig c) throws PluginConfigException {
        c.requireOnly("path", "format", "log_format", "filter", "buffer_lines");
        AccessLog.Builder b = AccessLog.newBuilder().setPath(c.string("path", "stdout")).setFormat(c.string("format", ""));
        long buffer = c.integer("buffer_lines", 65_536);
        if (buffer < 1 || buffer > 10_000_000) throw new PluginConfigException(c.path("buffer_lines") + ": must be in 1..10000000");
        b.setBufferLines((int) buffer);
        if (c.has("log_format")) {
            PluginConfig lf = c.object("log_format").requireOnly("text_format", "json_format");
            LogFormat.Builder f = LogFormat.newBuilder().setTextFormat(lf.string("text_format", ""));
            if (lf.has("json_format")) f.setJsonFormat(lf.object("json_format").raw());
            b.setLogFormat(f);
        }
        if (c.has("filter")) {
            PluginConfig f = c.object("filter").requireOnly("status_code_filter", "duration_filter", "runtime_filter", "response_flag_filter");
            AccessLogFilter.Builder fb = AccessLogFilter.newBuilder();
            if (f.has("status_code_filter")) fb.setStatusCodeFilter(comparison(f.object("status_code_filter")));
            if (f.has("duration_filter")) fb.setDurationFilter(comparison(f.object("duration_filter")));
            if (f.has("runtime_filter")) {
                fb.getRuntimeFilterBuilder().setPercentSampled(f.object("runtime_filter").requireOnly("percent_sampled")
                        .number("percent_sampled", 0));
            }
            if (f.has("response_flag_filter")) {
                fb.getResponseFlagFilterBuilder().addAllFlags(f.object("response_flag_filter").requireOnly("flags").strings("flags"));
            }
            b.setFilter(fb);
        }
        return b.build();
    }

    private static ComparisonFilter comparison(PluginConfig c) throws PluginConfigException {
        c.requireOnly("op", "value");
        String op = c.string("op", "eq").toUpperCase(Locale.ROOT);
        ComparisonOp parsed;
        try {
            parsed = ComparisonOp.valueOf(op);
        } catch (IllegalArgumentException e) {
            throw new PluginConfigException(c.path("op") + ": must be eq, ge, le or ne, got '" + c.string("op", "") + "'");
        }
        long value = c.requireInteger("value");
        if (value < 0 || value > Integer.MAX_VALUE) throw new PluginConfigException(c.path("value") + ": must not be negative");
        return ComparisonFilter.newBuilder().setOp(parsed).setValue((int) value).build();
    }
}
