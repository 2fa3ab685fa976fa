package yastack.plugin.common;

import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import yastack.api.HttpRequestHead;
import yastack.api.HttpResponseHead;
import yastack.api.HttpStream;
import yastack.api.PluginConfigException;
import yastack.api.StreamSummary;

/**
 * A text with {@code %VARIABLE%} placeholders, parsed once at config time and
 * expanded per request. Variables: {@code %REQ(name)%}, {@code %RESP(name)%}
 * (header values; empty when absent), {@code %DOWNSTREAM_REMOTE_ADDRESS%},
 * {@code %DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT%}, {@code %DOWNSTREAM_LOCAL_ADDRESS%},
 * {@code %REQ_METHOD%}, {@code %REQ_PATH%}, {@code %PROTOCOL%}, {@code %LISTENER%},
 * {@code %ROUTE%}, {@code %STREAM_ID%}, and, once the stream completed,
 * {@code %START_TIME%}, {@code %RESPONSE_CODE%}, {@code %BYTES_RECEIVED%},
 * {@code %BYTES_SENT%}, {@code %DURATION%} (ms), {@code %UPSTREAM_HOST%},
 * {@code %UPSTREAM_CLUSTER%}, {@code %RESPONSE_FLAGS%}. {@code %%} is a literal percent sign.
 */
public final class Template {
    /** What a template is expanded against; fields not known yet are {@code null}. */
    public record Vars(HttpStream stream, HttpRequestHead request, HttpResponseHead response, StreamSummary summary,
                       Instant startTime) {}

    @FunctionalInterface
    private interface Part {
        String expand(Vars v);
    }

    private final String source;
    private final List<Part> parts;
    private final boolean constant;

    private Template(String source, List<Part> parts, boolean constant) {
        this.source = source;
        this.parts = parts;
        this.constant = constant;
    }

    /** Parses {@code text}; {@code field} names it in errors. */
    public static Template parse(String text, String field) throws PluginConfigException {
        List<Part> parts = new ArrayList<>();
        StringBuilder literal = new StringBuilder();
        boolean constant = true;
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c != '%') {
                literal.append(c);
                i++;
                continue;
            }
            int end = text.indexOf('%', i + 1);
            if (end < 0) throw new PluginConfigException(field + ": unterminated %VARIABLE% at position " + i + " in \"" + text + "\"");
            if (end == i + 1) {
                literal.append('%');
                i = end + 1;
                continue;
            }
            if (!literal.isEmpty()) {
                String s = literal.toString();
                parts.add(v -> s);
                literal.setLength(0);
            }
            parts.add(variable(text.substring(i + 1, end), field));
            constant = false;
            i = end + 1;
        }
        if (!literal.isEmpty()) {
            String s = literal.toString();
            parts.add(v -> s);
        }
        return new Template(text, List.copyOf(parts), constant);
    }

    /** Whether the template has no variables. */
    public boolean isConstant() {
        return constant;
    }

    public String source() {
        return source;
    }

    public String expand(Vars vars) {
        if (parts.size() == 1) return parts.getFirst().expand(vars);
        StringBuilder sb = new StringBuilder();
        for (Part p : parts) sb.append(p.expand(vars));
        return sb.toString();
    }

    private static Part variable(String name, String field) throws PluginConfigException {
        if (name.startsWith("REQ(") && name.endsWith(")")) {
            String h = headerName(name, field);
            return v -> v.request() == null ? "" : orEmpty(v.request().headers().get(h));
        }
        if (name.startsWith("RESP(") && name.endsWith(")")) {
            String h = headerName(name, field);
            return v -> v.response() == null ? "" : orEmpty(v.response().headers().get(h));
        }
        return switch (name) {
            case "DOWNSTREAM_REMOTE_ADDRESS" -> v -> address(v.stream().downstreamRemoteAddress(), true);
            case "DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT" -> v -> address(v.stream().downstreamRemoteAddress(), false);
            case "DOWNSTREAM_LOCAL_ADDRESS" -> v -> address(v.stream().downstreamLocalAddress(), true);
            case "REQ_METHOD" -> v -> v.request() == null ? "" : v.request().method();
            case "REQ_PATH" -> v -> v.request() == null ? "" : v.request().uri();
            case "PROTOCOL" -> v -> v.request() == null ? "" : v.request().protocol();
            case "LISTENER" -> v -> v.stream().listenerName();
            case "ROUTE" -> v -> v.stream().routeName();
            case "STREAM_ID" -> v -> Long.toString(v.stream().id());
            case "START_TIME" -> v -> v.startTime() == null ? "" : v.startTime().toString();
            case "RESPONSE_CODE" -> v -> v.summary() != null ? Integer.toString(v.summary().status())
                    : v.response() != null ? Integer.toString(v.response().status()) : "";
            case "BYTES_RECEIVED" -> v -> v.summary() == null ? "" : Long.toString(v.summary().requestBodyBytes());
            case "BYTES_SENT" -> v -> v.summary() == null ? "" : Long.toString(v.summary().responseBodyBytes());
            case "DURATION" -> v -> v.summary() == null ? "" : Long.toString(v.summary().durationNanos() / 1_000_000);
            case "UPSTREAM_HOST" -> v -> v.summary() == null ? "" : address(v.summary().upstreamAddress(), true);
            case "UPSTREAM_CLUSTER" -> v -> v.summary() == null ? "" : v.summary().cluster();
            case "RESPONSE_FLAGS" -> v -> v.summary() == null ? "" : v.summary().responseFlags();
            default -> throw new PluginConfigException(field + ": unknown variable %" + name + "%");
        };
    }

    private static String headerName(String var, String field) throws PluginConfigException {
        String h = var.substring(var.indexOf('(') + 1, var.length() - 1).trim().toLowerCase(Locale.ROOT);
        if (h.isEmpty()) throw new PluginConfigException(field + ": %" + var + "% needs a header name");
        return h;
    }

    /** {@code ip:port} (IPv6 in brackets), or just the IP; {@code ""} for {@code null}. */
    public static String address(InetSocketAddress a, boolean withPort) {
        if (a == null) return "";
        String ip = a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString();
        if (!withPort) return ip;
        return (ip.indexOf(':') >= 0 ? "[" + ip + "]" : ip) + ":" + a.getPort();
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }

    @Override
    public String toString() {
        return source;
    }
}
