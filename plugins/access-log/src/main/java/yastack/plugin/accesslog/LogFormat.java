package yastack.plugin.accesslog;

import java.time.Instant;
import yastack.api.HttpRequestHead;
import yastack.api.HttpStream;
import yastack.api.PluginConfigException;
import yastack.api.StreamSummary;
import yastack.plugin.common.Json;
import yastack.plugin.common.Template;

/** One access-log line: the JSON record (the default) or a {@code %VARIABLE%} template. */
final class LogFormat {
    private final Template template;

    private LogFormat(Template template) {
        this.template = template;
    }

    /** {@code json}, or a template; {@code field} names it in errors. */
    static LogFormat parse(String format, String field) throws PluginConfigException {
        return new LogFormat(format.equals("json") ? null : Template.parse(format, field));
    }

    String line(HttpStream stream, StreamSummary summary) {
        Instant start = Instant.now().minusNanos(summary.durationNanos());
        if (template != null) return template.expand(new Template.Vars(stream, summary.request(), summary.response(), summary, start));
        return json(stream, summary, start);
    }

    /** The JSON record: one object per line, absent values as null. */
    static String json(HttpStream stream, StreamSummary s, Instant start) {
        HttpRequestHead r = s.request();
        StringBuilder sb = new StringBuilder(320).append('{');
        field(sb, "start_time", start.toString());
        field(sb, "listener", stream.listenerName());
        field(sb, "method", r == null ? null : r.method());
        field(sb, "path", r == null ? null : r.path());
        field(sb, "authority", r == null || r.authority().isEmpty() ? null : r.authority());
        field(sb, "protocol", r == null ? null : r.protocol());
        sb.append("\"status\":").append(s.status()).append(',');
        field(sb, "response_flags", s.responseFlags());
        sb.append("\"bytes_received\":").append(s.requestBodyBytes()).append(',');
        sb.append("\"bytes_sent\":").append(s.responseBodyBytes()).append(',');
        sb.append("\"duration_us\":").append(s.durationNanos() / 1000).append(',');
        field(sb, "route", stream.routeName().isEmpty() ? null : stream.routeName());
        field(sb, "cluster", s.cluster() == null || s.cluster().isEmpty() ? null : s.cluster());
        field(sb, "upstream_host", s.upstreamAddress() == null ? null : Template.address(s.upstreamAddress(), true));
        field(sb, "client", stream.downstreamRemoteAddress() == null ? null : Template.address(stream.downstreamRemoteAddress(), false));
        field(sb, "request_id", s.requestId());
        field(sb, "user_agent", r == null ? null : r.headers().get("user-agent"));
        sb.setLength(sb.length() - 1);
        return sb.append('}').toString();
    }

    private static void field(StringBuilder sb, String name, String value) {
        sb.append('"').append(name).append("\":");
        if (value == null) sb.append("null");
        else Json.quote(sb, value);
        sb.append(',');
    }
}
