package yastack.plugin.router;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import yastack.api.HashKey;
import yastack.api.HeaderEdits;
import yastack.api.HttpRequestHead;
import yastack.api.HttpStream;
import yastack.api.LocalReply;
import yastack.api.RetryRules;
import yastack.api.RouteDecision;
import yastack.api.config.HeaderValue;
import yastack.api.config.Redirect;
import yastack.api.config.Route;
import yastack.api.config.RouteAction;
import yastack.api.config.VirtualHost;

/** What a matched route decides: a cluster (possibly picked by weight), a direct response or a redirect. */
@FunctionalInterface
interface Action {
    RouteDecision decide(HttpStream stream, HttpRequestHead request);

    /** @param matchedPrefix the route's path prefix, or null when it matches a whole path or a regex */
    static Action compile(VirtualHost vh, Route r, String matchedPrefix) {
        HeaderEdits edits = edits(vh, r);
        if (r.hasDirectResponse()) {
            var d = r.getDirectResponse();
            LocalReply reply = withResponseHeaders(LocalReply.of(d.getStatus(), d.getBody())
                    .withContentType(d.getContentType().isEmpty() ? "text/plain" : d.getContentType()), edits);
            RouteDecision respond = RouteDecision.respond(reply);
            return (s, req) -> respond;
        }
        if (r.hasRedirect()) return redirect(r.getRedirect(), matchedPrefix, edits);
        RouteAction a = r.getRoute();
        if (a.getWeightedClustersCount() == 0) {
            RouteDecision only = forward(a, a.getCluster(), vh.getName(), r.getName(), matchedPrefix, edits);
            return (s, req) -> only;
        }
        int n = a.getWeightedClustersCount();
        RouteDecision[] decisions = new RouteDecision[n];
        int[] cumulative = new int[n];
        int total = 0;
        for (int i = 0; i < n; i++) {
            var w = a.getWeightedClusters(i);
            decisions[i] = forward(a, w.getName(), vh.getName(), r.getName(), matchedPrefix, edits);
            total += Math.max(1, w.getWeight());
            cumulative[i] = total;
        }
        int sum = total;
        return (s, req) -> {
            int roll = ThreadLocalRandom.current().nextInt(sum);
            for (int i = 0; i < n; i++) if (roll < cumulative[i]) return decisions[i];
            return decisions[n - 1];
        };
    }

    private static RouteDecision forward(RouteAction a, String cluster, String virtualHost, String routeName, String matchedPrefix,
                                         HeaderEdits edits) {
        RouteDecision.ToCluster.Builder b = RouteDecision.forward(cluster).routeName(routeName).hostRewrite(a.getHostRewrite())
                .headers(edits).virtualHost(virtualHost);
        if (a.hasTimeout()) b.timeout(Duration.ofSeconds(a.getTimeout().getSeconds(), a.getTimeout().getNanos()));
        if (a.hasIdleTimeout()) b.idleTimeout(Duration.ofSeconds(a.getIdleTimeout().getSeconds(), a.getIdleTimeout().getNanos()));
        if (!a.getPrefixRewrite().isEmpty() && matchedPrefix != null) b.prefixRewrite(matchedPrefix, a.getPrefixRewrite());
        if (a.hasHashPolicy()) b.hashKey(HashKey.of(a.getHashPolicy()));
        if (a.hasRetryPolicy()) b.retry(RetryRules.of(a.getRetryPolicy()));
        if (a.getRequestMirrorPoliciesCount() > 0) {
            b.mirrors(a.getRequestMirrorPoliciesList().stream()
                    .map(m -> new RouteDecision.Mirror(m.getCluster(), m.hasPercent() ? m.getPercent() : 100)).toList());
        }
        return b.build();
    }

    /** A redirect's Location is made per request: it may keep the request's host, path and query (as Envoy does). */
    private static Action redirect(Redirect d, String matchedPrefix, HeaderEdits edits) {
        int code = d.getCode() == 0 ? 301 : d.getCode();
        return (stream, req) -> {
            String scheme = d.getScheme().isEmpty() ? stream.scheme() : d.getScheme();
            String host = d.getHost().isEmpty() ? req.authority() : d.getHost();
            String path = req.path();
            if (!d.getPath().isEmpty()) path = d.getPath();
            else if (!d.getPrefixRewrite().isEmpty() && matchedPrefix != null) {
                path = d.getPrefixRewrite() + path.substring(Math.min(path.length(), matchedPrefix.length()));
            }
            if (!d.getStripQuery() && !req.query().isEmpty() && !path.contains("?")) path = path + "?" + req.query();
            return RouteDecision.respond(withResponseHeaders(LocalReply.of(code).withHeader("location", scheme + "://" + host + path),
                    edits));
        };
    }

    /** A local reply gets the route's response headers too (removals have nothing to remove from it). */
    private static LocalReply withResponseHeaders(LocalReply reply, HeaderEdits edits) {
        for (HeaderEdits.Header h : edits.responseAdd()) reply = reply.withHeader(h.name(), h.value());
        return reply;
    }

    /** The route's header edits, then its virtual host's. */
    private static HeaderEdits edits(VirtualHost vh, Route r) {
        List<HeaderEdits.Header> reqAdd = new ArrayList<>(headers(r.getRequestHeadersToAddList()));
        reqAdd.addAll(headers(vh.getRequestHeadersToAddList()));
        List<String> reqRemove = new ArrayList<>(r.getRequestHeadersToRemoveList());
        reqRemove.addAll(vh.getRequestHeadersToRemoveList());
        List<HeaderEdits.Header> respAdd = new ArrayList<>(headers(r.getResponseHeadersToAddList()));
        respAdd.addAll(headers(vh.getResponseHeadersToAddList()));
        List<String> respRemove = new ArrayList<>(r.getResponseHeadersToRemoveList());
        respRemove.addAll(vh.getResponseHeadersToRemoveList());
        HeaderEdits e = new HeaderEdits(reqAdd, reqRemove, respAdd, respRemove);
        return e.isEmpty() ? HeaderEdits.NONE : e;
    }

    private static List<HeaderEdits.Header> headers(List<HeaderValue> values) {
        return values.stream().map(v -> new HeaderEdits.Header(v.getName(), v.getValue(), v.getAppend())).toList();
    }
}
