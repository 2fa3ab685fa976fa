package yastack.plugin.accesslog;

import java.io.IOException;
import java.time.Instant;
import yastack.api.ConfiguredHttpFilter;
import yastack.api.FilterResult;
import yastack.api.HttpFilter;
import yastack.api.HttpFilterFactory;
import yastack.api.HttpRequestHead;
import yastack.api.HttpResponseHead;
import yastack.api.HttpStream;
import yastack.api.PluginConfig;
import yastack.api.PluginConfigException;
import yastack.api.PluginContext;
import yastack.api.StreamSummary;
import yastack.plugin.common.Json;
import yastack.plugin.common.Template;

/**
 * {@code access-log}: one line per completed stream.
 *
 * <pre>
 * config:
 *   path: /var/log/yastack/access.log    # or stdout (default) / stderr
 *   format: json                          # default; or a %VAR% template, e.g.
 *   # format: '%START_TIME% "%REQ_METHOD% %REQ_PATH% %PROTOCOL%" %RESPONSE_CODE% %BYTES_SENT% %DURATION%'
 *   buffer_lines: 65536                   # lines queued for the writer thread before dropping
 * </pre>
 *
 * Stats: {@code plugin.access-log.lines}, {@code .dropped}, {@code .write_errors}.
 */
public final class AccessLogFactory implements HttpFilterFactory {
    @Override
    public String name() {
        return "access-log";
    }

    @Override
    public String description() {
        return "one line per request: JSON or a %VAR% template, to a file or stdout";
    }

    record Settings(String path, Template template, int bufferLines) {}

    static Settings settings(PluginConfig c) throws PluginConfigException {
        c.requireOnly("path", "format", "buffer_lines");
        String path = c.string("path", "stdout");
        if (path.isBlank()) throw new PluginConfigException(c.path("path") + ": must not be empty");
        String format = c.string("format", "json");
        Template t = format.equals("json") ? null : Template.parse(format, c.path("format"));
        long buffer = c.integer("buffer_lines", 65_536);
        if (buffer < 1 || buffer > 10_000_000) throw new PluginConfigException(c.path("buffer_lines") + ": must be in 1..10000000");
        return new Settings(path, t, (int) buffer);
    }

    @Override
    public void validate(PluginConfig config) throws PluginConfigException {
        settings(config);
    }

    @Override
    public ConfiguredHttpFilter create(PluginConfig config, PluginContext context) throws PluginConfigException {
        Settings s = settings(config);
        LogWriter writer;
        try {
            writer = new LogWriter(s.path(), s.bufferLines(), context.stats(), context.logger());
        } catch (IOException e) {
            throw new PluginConfigException(config.path("path") + ": cannot open " + s.path() + ": " + e.getMessage(), e);
        }
        var lines = context.stats().counter("lines");
        return new ConfiguredHttpFilter() {
            @Override
            public HttpFilter newStreamFilter(HttpStream stream) {
                return new HttpFilter() {
                    private HttpRequestHead request;
                    private HttpResponseHead response;

                    @Override
                    public FilterResult onRequestHeaders(HttpStream st, HttpRequestHead r) {
                        request = r;
                        return FilterResult.proceed();
                    }

                    @Override
                    public FilterResult onResponseHeaders(HttpStream st, HttpResponseHead r) {
                        response = r;
                        return FilterResult.proceed();
                    }

                    @Override
                    public void onComplete(HttpStream st, StreamSummary summary) {
                        HttpRequestHead req = summary.request() != null ? summary.request() : request;
                        Instant start = Instant.now().minusNanos(summary.durationNanos());
                        Template.Vars vars = new Template.Vars(st, req, response, summary, start);
                        writer.offer(s.template() == null ? json(vars) : s.template().expand(vars));
                        lines.inc();
                    }
                };
            }

            @Override
            public void close() {
                writer.close();
            }
        };
    }

    static String json(Template.Vars v) {
        StringBuilder sb = new StringBuilder(256).append('{');
        StreamSummary s = v.summary();
        HttpRequestHead r = v.request();
        field(sb, "start_time", v.startTime().toString()).append(',');
        field(sb, "listener", v.stream().listenerName()).append(',');
        field(sb, "downstream_remote_address", Template.address(v.stream().downstreamRemoteAddress(), true)).append(',');
        if (r != null) {
            field(sb, "method", r.method()).append(',');
            field(sb, "path", r.uri()).append(',');
            field(sb, "protocol", r.protocol()).append(',');
            field(sb, "authority", r.authority()).append(',');
            String ua = r.headers().get("user-agent");
            if (ua != null) field(sb, "user_agent", ua).append(',');
            String id = r.headers().get("x-request-id");
            if (id != null) field(sb, "request_id", id).append(',');
        }
        field(sb, "route", v.stream().routeName()).append(',');
        field(sb, "upstream_cluster", s.cluster()).append(',');
        field(sb, "upstream_host", Template.address(s.upstreamAddress(), true)).append(',');
        sb.append("\"status\":").append(s.status()).append(',');
        sb.append("\"bytes_received\":").append(s.requestBodyBytes()).append(',');
        sb.append("\"bytes_sent\":").append(s.responseBodyBytes()).append(',');
        sb.append("\"duration_ms\":").append(String.format(java.util.Locale.ROOT, "%.3f", s.durationNanos() / 1e6)).append(',');
        sb.append("\"local_reply\":").append(s.localReply()).append(',');
        sb.append("\"reset\":").append(s.reset());
        return sb.append('}').toString();
    }

    private static StringBuilder field(StringBuilder sb, String name, String value) {
        return Json.quote(sb.append('"').append(name).append("\":"), value);
    }
}
