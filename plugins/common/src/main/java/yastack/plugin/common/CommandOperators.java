package yastack.plugin.common;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import yastack.api.HttpHeadersView;
import yastack.api.HttpRequestHead;
import yastack.api.PluginConfigException;
import yastack.api.StreamSummary;

/**
 * Envoy's command operators ({@code %RESPONSE_CODE%}, {@code %REQ(X?Y):N%}, ...): each one,
 * parsed once, gives its value for a stream — a {@link String}, a {@link Long}, or
 * {@code null} when absent (text formats print that as {@code -}, JSON as {@code null}).
 */
final class CommandOperators {
    private static final String HOSTNAME = hostname();

    private CommandOperators() {}

    /** A parsed operator: its value for {@code v}, or null when absent. */
    @FunctionalInterface
    interface Operator {
        Object value(Template.Vars v);
    }

    /**
     * The operator {@code name} with its {@code (argument)} (null if none), cut to {@code maxLength}
     * characters (0: no limit); {@code field} names the config field in errors.
     */
    static Operator of(String name, String arg, int maxLength, String field) throws PluginConfigException {
        Operator op = parse(name, arg, field);
        if (maxLength <= 0) return op;
        return v -> {
            Object o = op.value(v);
            return o instanceof String s && s.length() > maxLength ? s.substring(0, maxLength) : o;
        };
    }

    private static Operator parse(String name, String arg, String field) throws PluginConfigException {
        switch (name) {
            case "REQ" -> {
                String[] h = headerNames(name, arg, field);
                return v -> v.request() == null ? null : firstHeader(v, v.request().headers(), h, true);
            }
            case "RESP" -> {
                String[] h = headerNames(name, arg, field);
                return v -> v.response() == null ? null : firstHeader(v, v.response().headers(), h, false);
            }
            case "START_TIME" -> {
                StartTimeFormat format = StartTimeFormat.parse(arg, field);
                return v -> v.startTime() == null ? null : format.format(v.startTime());
            }
            case "FILTER_STATE" -> {
                if (arg == null || arg.isBlank()) throw new PluginConfigException(field + ": %FILTER_STATE(key)% needs a key");
                return v -> {
                    Object o = v.stream().attributes().get(arg);
                    return o == null ? null : o.toString();
                };
            }
            default -> {
                if (arg != null) throw new PluginConfigException(field + ": %" + name + "% takes no argument, got (" + arg + ")");
                Operator op = plain(name);
                if (op == null) throw new PluginConfigException(field + ": unknown command operator %" + name + "%");
                return op;
            }
        }
    }

    /** Operators without an argument; null for an unknown name. */
    private static Operator plain(String name) {
        return switch (name) {
            case "DOWNSTREAM_REMOTE_ADDRESS" -> v -> address(v.stream().downstreamRemoteAddress(), true);
            case "DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT" -> v -> address(v.stream().downstreamRemoteAddress(), false);
            case "DOWNSTREAM_REMOTE_PORT" -> v -> port(v.stream().downstreamRemoteAddress());
            case "DOWNSTREAM_LOCAL_ADDRESS" -> v -> address(v.stream().downstreamLocalAddress(), true);
            case "DOWNSTREAM_LOCAL_ADDRESS_WITHOUT_PORT" -> v -> address(v.stream().downstreamLocalAddress(), false);
            case "DOWNSTREAM_LOCAL_PORT" -> v -> port(v.stream().downstreamLocalAddress());
            case "REQ_METHOD" -> v -> v.request() == null ? null : v.request().method();
            case "REQ_PATH" -> v -> v.request() == null ? null : v.request().uri();
            case "PROTOCOL" -> v -> v.request() == null ? null : v.request().protocol();
            case "LISTENER" -> v -> v.stream().listenerName();
            case "ROUTE", "ROUTE_NAME" -> v -> v.stream().routeName().isEmpty() ? null : v.stream().routeName();
            case "STREAM_ID" -> v -> v.stream().id();
            case "TRACE_ID" -> v -> v.stream().span().traceId().isEmpty() ? null : v.stream().span().traceId();
            case "HOSTNAME" -> v -> HOSTNAME;
            case "RESPONSE_CODE" -> v -> v.summary() != null ? (long) v.summary().status()
                    : v.response() != null ? (long) v.response().status() : null;
            case "RESPONSE_FLAGS" -> v -> v.summary() == null ? null : v.summary().responseFlags();
            case "BYTES_RECEIVED" -> v -> v.summary() == null ? null : v.summary().requestBodyBytes();
            case "BYTES_SENT" -> v -> v.summary() == null ? null : v.summary().responseBodyBytes();
            case "DURATION" -> v -> v.summary() == null ? null : v.summary().durationNanos() / 1_000_000;
            case "UPSTREAM_HOST", "UPSTREAM_REMOTE_ADDRESS" -> v -> v.summary() == null ? null : address(v.summary().upstreamAddress(), true);
            case "UPSTREAM_CLUSTER" -> v -> v.summary() == null || v.summary().cluster().isEmpty() ? null : v.summary().cluster();
            case "UPSTREAM_REQUEST_ATTEMPT_COUNT" -> v -> v.summary() == null ? null : (long) v.summary().upstreamAttempts();
            case "REQUEST_ID" -> v -> requestId(v);
            default -> null;
        };
    }

    /** {@code X?Y}: header X, else Y; pseudo-headers {@code :method :path :authority :scheme :protocol} (and {@code :status}). */
    private static String[] headerNames(String op, String arg, String field) throws PluginConfigException {
        if (arg == null || arg.isBlank()) throw new PluginConfigException(field + ": %" + op + "(name)% needs a header name");
        String[] names = arg.split("\\?", -1);
        if (names.length > 2) throw new PluginConfigException(field + ": %" + op + "(" + arg + ")% takes at most one alternative (X?Y)");
        for (int i = 0; i < names.length; i++) {
            names[i] = names[i].trim().toLowerCase(Locale.ROOT);
            if (names[i].isEmpty()) throw new PluginConfigException(field + ": %" + op + "(" + arg + ")% has an empty header name");
        }
        return names;
    }

    private static Object firstHeader(Template.Vars v, HttpHeadersView headers, String[] names, boolean request) {
        for (String n : names) {
            String value = n.charAt(0) == ':' ? pseudo(v, n, request) : headers.get(n);
            // The proxy generates x-request-id when the client sent none; as in Envoy, the request carries it from then on.
            if (value == null && request && n.equals("x-request-id") && v.summary() != null) value = v.summary().requestId();
            if (value != null) return value;
        }
        return null;
    }

    private static String pseudo(Template.Vars v, String name, boolean request) {
        if (!request) return name.equals(":status") ? Integer.toString(v.response().status()) : null;
        HttpRequestHead r = v.request();
        return switch (name) {
            case ":method" -> r.method();
            case ":path" -> r.uri();
            case ":authority" -> r.authority().isEmpty() ? null : r.authority();
            case ":scheme" -> v.stream().scheme();
            case ":protocol" -> r.protocol();
            default -> null;
        };
    }

    private static String requestId(Template.Vars v) {
        StreamSummary s = v.summary();
        if (s != null && s.requestId() != null) return s.requestId();
        return v.request() == null ? null : v.request().headers().get("x-request-id");
    }

    static String address(InetSocketAddress a, boolean withPort) {
        if (a == null) return null;
        String ip = a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString();
        if (!withPort) return ip;
        return (ip.indexOf(':') >= 0 ? "[" + ip + "]" : ip) + ":" + a.getPort();
    }

    private static Long port(InetSocketAddress a) {
        return a == null ? null : (long) a.getPort();
    }

    private static String hostname() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }
}
