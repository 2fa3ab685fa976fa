package yastack.scripting.internal;

import java.time.Duration;
import java.util.Map;
import org.graalvm.polyglot.Value;
import yastack.api.HashKey;
import yastack.api.HttpRequestHead;
import yastack.api.LocalReply;
import yastack.api.RetryRules;
import yastack.api.RouteDecision;

/** Turns what scripts return into the SPI's decisions. */
final class Decisions {
    private Decisions() {}

    /**
     * A router's result: {@code {cluster, ...rewrites}}, {@code {status, body,
     * headers, contentType}}, or null/undefined for "no route" (404). Request
     * rewrites are applied only once the whole result was understood.
     */
    static RouteDecision route(Value r, HttpRequestHead request) {
        if (r == null || r.isNull()) return RouteDecision.noRoute();
        if (!r.hasMembers()) throw new IllegalArgumentException("route() must return an object like {cluster: \"name\"} or {status: 403}, got " + r);
        if (JsValues.member(r, "then") != null) throw new IllegalArgumentException("route() must decide synchronously; it returned a promise");
        if (JsValues.member(r, "status") != null) return RouteDecision.respond(localReply(r));
        String cluster = JsValues.string(r, "cluster", null);
        if (cluster == null || cluster.isEmpty()) {
            throw new IllegalArgumentException("route() returned neither a cluster nor a status: " + r);
        }
        RouteDecision.ToCluster d = forward(request, cluster, JsValues.string(r, "path", null), JsValues.string(r, "prefix", null),
                JsValues.string(r, "prefixRewrite", null), JsValues.member(r, "headers"), JsValues.member(r, "removeHeaders"),
                JsValues.member(r, "timeoutMs"), JsValues.string(r, "routeName", null));
        return withUpstreamPolicy(d.toBuilder(), r).build();
    }

    /**
     * What a script route may ask of the upstream side beyond a cluster, as a route of
     * route_config can: {@code hostRewrite}, {@code retry: {on, numRetries, perTryTimeoutMs,
     * statusCodes}} and {@code hashKey: {header | cookie | query}}.
     */
    private static RouteDecision.ToCluster.Builder withUpstreamPolicy(RouteDecision.ToCluster.Builder b, Value r) {
        String host = JsValues.string(r, "hostRewrite", null);
        if (host != null) b.hostRewrite(host);
        Value retry = JsValues.member(r, "retry");
        if (retry != null && !retry.isNull()) {
            if (!retry.hasMembers()) throw new IllegalArgumentException("'retry' must be an object like {on: \"5xx\", numRetries: 2}");
            Integer n = JsValues.integer(retry, "numRetries");
            Integer perTry = JsValues.integer(retry, "perTryTimeoutMs");
            if ((n != null && n < 0) || (perTry != null && perTry < 0)) {
                throw new IllegalArgumentException("'retry' numbers must not be negative: " + retry);
            }
            java.util.Set<Integer> codes = new java.util.HashSet<>();
            for (String c : JsValues.strings(retry, "statusCodes")) codes.add(Integer.parseInt(c));
            b.retry(new RetryRules(RetryRules.parse(JsValues.string(retry, "on", "")), n == null ? 1 : n,
                    perTry == null ? Duration.ZERO : Duration.ofMillis(perTry), codes));
        }
        Value key = JsValues.member(r, "hashKey");
        if (key != null && !key.isNull()) {
            String header = JsValues.string(key, "header", null), cookie = JsValues.string(key, "cookie", null),
                    query = JsValues.string(key, "query", null);
            if (header != null) b.hashKey(HashKey.header(header));
            else if (cookie != null) b.hashKey(HashKey.cookie(cookie));
            else if (query != null) b.hashKey(HashKey.queryParameter(query));
            else throw new IllegalArgumentException("'hashKey' must name a header, cookie or query parameter: " + key);
        }
        return b;
    }

    /** A cluster answer with its optional rewrites; the request is changed only if every field is valid. */
    static RouteDecision.ToCluster forward(HttpRequestHead request, String cluster, String newPath, String prefix, String prefixRewrite,
                                 Value headersObj, Value removeList, Value timeout, String routeName) {
        if (cluster.isEmpty()) throw new IllegalArgumentException("route() returned an empty cluster name");
        Map<String, String> headers = Map.of();
        if (headersObj != null && !headersObj.isNull()) {
            if (!headersObj.hasMembers()) throw new IllegalArgumentException("'headers' must be an object of name: value");
            headers = new java.util.LinkedHashMap<>();
            for (String k : headersObj.getMemberKeys()) {
                Value x = headersObj.getMember(k);
                headers.put(k, x == null || x.isNull() ? null : JsValues.text(x));
            }
        }
        java.util.List<String> remove = new java.util.ArrayList<>();
        if (removeList != null && !removeList.isNull()) {
            if (!removeList.hasArrayElements()) throw new IllegalArgumentException("'removeHeaders' must be an array of names");
            for (long i = 0; i < removeList.getArraySize(); i++) remove.add(JsValues.text(removeList.getArrayElement(i)));
        }
        Integer timeoutMs = null;
        if (timeout != null && !timeout.isNull()) {
            if (!timeout.isNumber() || !timeout.fitsInInt() || timeout.asInt() < 0) {
                throw new IllegalArgumentException("'timeoutMs' must be a non-negative integer, got " + timeout);
            }
            timeoutMs = timeout.asInt();
        }

        if (newPath != null) {
            setPath(request, newPath);
        } else if (prefixRewrite != null) {
            setPath(request, rewritePrefix(request.path(), prefix, prefixRewrite));
        }
        for (String h : remove) request.headers().remove(h);
        headers.forEach((k, v) -> {
            if (v == null) request.headers().remove(k);
            else request.headers().set(k, v);
        });
        RouteDecision.ToCluster.Builder d = RouteDecision.forward(cluster).routeName(routeName == null ? "" : routeName);
        if (timeoutMs != null) d.timeout(Duration.ofMillis(timeoutMs));
        return d.build();
    }

    /**
     * Replaces {@code prefix} at the start of {@code path} with {@code replacement};
     * without an explicit prefix the first path segment is replaced
     * ({@code /api/users} with {@code "/"} becomes {@code /users}).
     */
    static String rewritePrefix(String path, String prefix, String replacement) {
        String p = prefix;
        if (p == null) {
            int next = path.indexOf('/', 1);
            p = next < 0 ? path : path.substring(0, next + 1);
        }
        if (!path.startsWith(p)) return path;
        String rest = path.substring(p.length());
        if (replacement.endsWith("/") && rest.startsWith("/")) rest = rest.substring(1);
        String out = replacement + rest;
        return out.isEmpty() ? "/" : out;
    }

    private static void setPath(HttpRequestHead request, String path) {
        if (path.contains("?")) {
            request.setUri(path);
        } else {
            String q = request.query();
            request.setUri(path + (q.isEmpty() ? "" : "?" + q));
        }
    }

    /** {@code {status, body?, headers?, contentType?}} as a local reply. */
    static LocalReply localReply(Value r) {
        Integer status = JsValues.integer(r, "status");
        if (status == null) throw new IllegalArgumentException("a local reply needs a status");
        String body = JsValues.string(r, "body", "");
        LocalReply reply = LocalReply.of(status, body);
        String ct = JsValues.string(r, "contentType", null);
        if (ct != null) reply = reply.withContentType(ct);
        for (Map.Entry<String, String> e : JsValues.stringMap(r, "headers").entrySet()) {
            if (e.getValue() != null) reply = reply.withHeader(e.getKey(), e.getValue());
        }
        return reply;
    }

    /**
     * What a filter callback's (settled) result means: nothing or an object
     * without {@code status} continues; {@code {status, ...}} replies locally.
     */
    static LocalReply filterReply(Value r) {
        if (r == null || r.isNull()) return null;
        if (r.isBoolean() && r.asBoolean()) return null;
        if (!r.hasMembers()) throw new IllegalArgumentException("a filter must return nothing, or {status, body, headers} to reply; got " + r);
        if (JsValues.member(r, "status") == null) return null;
        return localReply(r);
    }
}
