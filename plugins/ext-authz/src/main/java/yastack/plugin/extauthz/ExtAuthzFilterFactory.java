package yastack.plugin.extauthz;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;
import yastack.api.ClusterCalls;
import yastack.api.ConfiguredHttpFilter;
import yastack.api.FilterResult;
import yastack.api.HttpFilter;
import yastack.api.HttpFilterFactory;
import yastack.api.HttpRequestHead;
import yastack.api.HttpStream;
import yastack.api.LocalReply;
import yastack.api.PluginConfig;
import yastack.api.PluginConfigException;
import yastack.api.PluginContext;
import yastack.api.PluginStats;

/**
 * {@code ext_authz}: asks an authorization service about every request before it is routed
 * (Envoy's ext_authz with an HTTP service, nginx's {@code auth_request}, Traefik's forwardAuth).
 * The check is the request's method and target (behind {@code path_prefix}) without its body,
 * with the headers in {@code allowed_headers} and the original request in
 * {@code x-forwarded-method|uri|host|proto|for}. A 2xx answer lets the request through, with
 * the answer's {@code allowed_upstream_headers} set on it (the user the service found, say);
 * any other answer goes to the client as it came (status, body, headers but hop-by-hop ones,
 * or only {@code allowed_client_headers}); a call that fails or times out is answered with
 * {@code status_on_error}, unless {@code failure_mode_allow} lets the request through.
 *
 * <pre>
 * config:
 *   cluster: auth                 # required
 *   path_prefix: /verify
 *   timeout: 200ms
 *   allowed_headers: [authorization, cookie]
 *   allowed_upstream_headers: [x-user]
 *   allowed_client_headers: [www-authenticate, location, set-cookie]
 *   failure_mode_allow: false
 *   status_on_error: 403
 * </pre>
 *
 * Stats: {@code plugin.ext_authz.ok}, {@code .denied}, {@code .error},
 * {@code .failure_mode_allowed}.
 */
public final class ExtAuthzFilterFactory implements HttpFilterFactory {
    /** Never copied from an answer to the client: the framing and the connection are the proxy's. */
    private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "transfer-encoding", "content-length",
            "upgrade", "te", "trailer", "proxy-connection", "host", "date", "server", "content-type");

    @Override
    public String name() {
        return "ext_authz";
    }

    @Override
    public String description() {
        return "ask an authorization service about each request: 2xx passes, anything else is the answer (Envoy ext_authz, nginx auth_request)";
    }

    record Settings(String cluster, String pathPrefix, Duration timeout, List<String> allowedHeaders,
                    List<String> upstreamHeaders, Set<String> clientHeaders, boolean failureModeAllow, int statusOnError) {}

    static Settings settings(PluginConfig c) throws PluginConfigException {
        c.requireOnly("cluster", "path_prefix", "timeout", "allowed_headers", "allowed_upstream_headers",
                "allowed_client_headers", "failure_mode_allow", "status_on_error");
        String cluster = c.requireString("cluster");
        if (cluster.isBlank()) throw new PluginConfigException(c.path("cluster") + ": names the authorization service's cluster");
        String prefix = c.string("path_prefix", "");
        if (!prefix.isEmpty() && (!prefix.startsWith("/") || prefix.endsWith("/"))) {
            throw new PluginConfigException(c.path("path_prefix") + ": starts with / and does not end with one, e.g. /verify");
        }
        Duration timeout = c.duration("timeout", Duration.ofMillis(200));
        if (timeout.isZero() || timeout.isNegative()) throw new PluginConfigException(c.path("timeout") + ": must be positive");
        long status = c.integer("status_on_error", 403);
        if (status < 200 || status > 599) throw new PluginConfigException(c.path("status_on_error") + ": must be 200..599, got " + status);
        Set<String> client = c.has("allowed_client_headers") ? Set.copyOf(lower(c.strings("allowed_client_headers"))) : null;
        return new Settings(cluster, prefix, timeout,
                c.has("allowed_headers") ? lower(c.strings("allowed_headers")) : List.of("authorization", "cookie"),
                lower(c.strings("allowed_upstream_headers")), client, c.bool("failure_mode_allow", false), (int) status);
    }

    private static List<String> lower(List<String> names) {
        return names.stream().map(n -> n.toLowerCase(Locale.ROOT)).distinct().toList();
    }

    @Override
    public void validate(PluginConfig config) throws PluginConfigException {
        settings(config);
    }

    @Override
    public ConfiguredHttpFilter create(PluginConfig config, PluginContext context) throws PluginConfigException {
        Settings s = settings(config);
        PluginStats stats = context.stats();
        PluginStats.Counter ok = stats.counter("ok"), denied = stats.counter("denied"), error = stats.counter("error"),
                failureModeAllowed = stats.counter("failure_mode_allowed");
        AtomicLong lastWarning = new AtomicLong(Long.MIN_VALUE);
        return stream -> new HttpFilter() {
            @Override
            public FilterResult onRequestHeaders(HttpStream st, HttpRequestHead request) {
                ClusterCalls.Request check = new ClusterCalls.Request(request.method(), s.pathPrefix() + request.uri(),
                        checkHeaders(s, st, request), "", s.timeout());
                // The decision runs on the stream's worker: only there may the request head change.
                return FilterResult.async(st.callCluster(s.cluster(), check).handleAsync((answer, failure) -> {
                    if (failure == null && answer.status() >= 200 && answer.status() < 300) {
                        ok.inc();
                        for (String name : s.upstreamHeaders()) {
                            String v = header(answer, name);
                            if (v != null) request.headers().set(name, v);
                        }
                        return FilterResult.proceed();
                    }
                    if (failure == null) {
                        denied.inc();
                        return FilterResult.respond(denial(s, answer));
                    }
                    error.inc();
                    warn(context, lastWarning, s.cluster(), failure);
                    if (s.failureModeAllow()) {
                        failureModeAllowed.inc();
                        return FilterResult.proceed();
                    }
                    return FilterResult.respond(LocalReply.of(s.statusOnError()));
                }, st.worker().executor()));
            }
        };
    }

    /** The allowed headers of the request, and where it was going (the call cannot send the original Host). */
    private static Map<String, String> checkHeaders(Settings s, HttpStream st, HttpRequestHead request) {
        Map<String, String> h = new LinkedHashMap<>();
        for (String name : s.allowedHeaders()) {
            List<String> values = request.headers().getAll(name);
            if (!values.isEmpty()) h.put(name, String.join(name.equals("cookie") ? "; " : ", ", values));
        }
        h.put("x-forwarded-method", request.method());
        h.put("x-forwarded-uri", request.uri());
        if (!request.authority().isEmpty()) h.put("x-forwarded-host", request.authority());
        h.put("x-forwarded-proto", st.scheme());
        InetSocketAddress client = st.downstreamRemoteAddress();
        if (client != null && client.getAddress() != null) h.put("x-forwarded-for", client.getAddress().getHostAddress());
        return h;
    }

    /** The service's answer, as the client gets it. */
    private static LocalReply denial(Settings s, ClusterCalls.Response answer) {
        LocalReply reply = LocalReply.of(answer.status(), answer.body());
        String type = header(answer, "content-type");
        if (type != null) reply = reply.withContentType(type);
        for (Map.Entry<String, String> e : answer.headers().entrySet()) {
            String name = e.getKey().toLowerCase(Locale.ROOT);
            boolean wanted = s.clientHeaders() == null ? !HOP_BY_HOP.contains(name) && !name.startsWith(":")
                    : s.clientHeaders().contains(name) && !HOP_BY_HOP.contains(name);
            if (wanted) reply = reply.withHeader(name, e.getValue());
        }
        return reply;
    }

    private static String header(ClusterCalls.Response answer, String name) {
        for (Map.Entry<String, String> e : answer.headers().entrySet()) {
            if (e.getKey().equalsIgnoreCase(name)) return e.getValue();
        }
        return null;
    }

    /** At most one warning in ten seconds: a service that is down fails every request. */
    private static void warn(PluginContext context, AtomicLong last, String cluster, Throwable failure) {
        long now = context.nanoTime(), before = last.get();
        if (before != Long.MIN_VALUE && now - before < 10_000_000_000L) return;
        if (!last.compareAndSet(before, now)) return;
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        context.logger().log(System.Logger.Level.WARNING, "authorization call to cluster " + cluster + " failed: " + cause);
    }
}
