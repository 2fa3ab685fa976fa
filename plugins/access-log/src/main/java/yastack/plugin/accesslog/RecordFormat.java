package yastack.plugin.accesslog;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import java.time.Instant;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import yastack.api.HttpRequestHead;
import yastack.api.HttpStream;
import yastack.api.PluginConfigException;
import yastack.api.StreamSummary;
import yastack.plugin.common.Json;
import yastack.plugin.common.Template;

/**
 * One access-log line: yastack's JSON record (the default), a text line with Envoy command
 * operators ({@code text_format}), or a JSON object whose values are operators
 * ({@code json_format}; an operator alone keeps its type, so {@code %RESPONSE_CODE%} is a number).
 */
abstract sealed class RecordFormat {
    abstract String line(HttpStream stream, StreamSummary summary, Instant start);

    static RecordFormat defaultJson() {
        return new DefaultJson();
    }

    static RecordFormat text(String format, String field) throws PluginConfigException {
        return new Text(Template.parse(format, field));
    }

    static RecordFormat json(Struct format, String field) throws PluginConfigException {
        if (format.getFieldsCount() == 0) throw new PluginConfigException(field + ": needs at least one key");
        return new JsonObject(JsonObject.compile(format, field));
    }

    static Template.Vars vars(HttpStream stream, StreamSummary s, Instant start) {
        return new Template.Vars(stream, s.request(), s.response(), s, start);
    }

    private static final class Text extends RecordFormat {
        private final Template template;

        Text(Template template) {
            this.template = template;
        }

        @Override
        String line(HttpStream stream, StreamSummary summary, Instant start) {
            return template.expand(vars(stream, summary, start), "-");
        }
    }

    private static final class JsonObject extends RecordFormat {
        /** Per key: a Template, a nested List of entries, or a constant (number, boolean, null). */
        private final List<Map.Entry<String, Object>> entries;

        JsonObject(List<Map.Entry<String, Object>> entries) {
            this.entries = entries;
        }

        static List<Map.Entry<String, Object>> compile(Struct s, String field) throws PluginConfigException {
            List<Map.Entry<String, Object>> out = new ArrayList<>();
            for (var e : s.getFieldsMap().entrySet()) {
                String p = field + "." + e.getKey();
                Value v = e.getValue();
                Object compiled = switch (v.getKindCase()) {
                    case STRING_VALUE -> Template.parse(v.getStringValue(), p);
                    case STRUCT_VALUE -> compile(v.getStructValue(), p);
                    case NUMBER_VALUE -> v.getNumberValue();
                    case BOOL_VALUE -> v.getBoolValue();
                    case NULL_VALUE -> null;
                    default -> throw new PluginConfigException(p + ": lists are not supported in json_format; use an object or a string");
                };
                out.add(new AbstractMap.SimpleImmutableEntry<>(e.getKey(), compiled));
            }
            return List.copyOf(out);
        }

        @Override
        String line(HttpStream stream, StreamSummary summary, Instant start) {
            StringBuilder sb = new StringBuilder(256);
            write(sb, entries, vars(stream, summary, start));
            return sb.toString();
        }

        @SuppressWarnings("unchecked")
        private static void write(StringBuilder sb, List<Map.Entry<String, Object>> entries, Template.Vars vars) {
            sb.append('{');
            for (int i = 0; i < entries.size(); i++) {
                if (i > 0) sb.append(',');
                Json.quote(sb, entries.get(i).getKey()).append(':');
                Object v = entries.get(i).getValue();
                if (v instanceof Template t) v = t.value(vars);
                switch (v) {
                    case null -> sb.append("null");
                    case String s -> Json.quote(sb, s);
                    case Double d -> sb.append(d == Math.rint(d) && !Double.isInfinite(d) ? Long.toString(d.longValue()) : d.toString());
                    case List<?> nested -> write(sb, (List<Map.Entry<String, Object>>) nested, vars);
                    default -> sb.append(v);
                }
            }
            sb.append('}');
        }
    }

    /** yastack's record: one object per line, absent values as null. */
    private static final class DefaultJson extends RecordFormat {
        @Override
        String line(HttpStream stream, StreamSummary s, Instant start) {
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
            if (!stream.span().traceId().isEmpty()) field(sb, "trace_id", stream.span().traceId());
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
}
