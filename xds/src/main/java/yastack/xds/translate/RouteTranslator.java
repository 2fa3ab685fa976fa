package yastack.xds.translate;

import static yastack.xds.translate.Fields.child;
import static yastack.xds.translate.Fields.element;
import static yastack.xds.translate.Fields.only;

import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.config.route.v3.DirectResponseAction;
import io.envoyproxy.envoy.config.route.v3.RedirectAction;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import yastack.api.config.DirectResponse;
import yastack.api.config.HashPolicy;
import yastack.api.config.HeaderValue;
import yastack.api.config.Redirect;
import yastack.api.config.RetryPolicy;
import yastack.api.config.RouteConfig;

/** Envoy's {@code RouteConfiguration} (RDS, or inline in a connection manager) as our route table. */
public final class RouteTranslator {
    private RouteTranslator() {}

    public static RouteConfig translate(RouteConfiguration rc, String path) throws Rejection {
        only(rc, path, "name", "virtual_hosts", "validate_clusters");
        RouteConfig.Builder out = RouteConfig.newBuilder();
        for (int i = 0; i < rc.getVirtualHostsCount(); i++) {
            out.addVirtualHosts(virtualHost(rc.getVirtualHosts(i), element(path, "virtual_hosts", i)));
        }
        return out.build();
    }

    /** Every cluster the routes name (to warm a listener until they are there). */
    public static Set<String> clusters(RouteConfig rc) {
        Set<String> out = new LinkedHashSet<>();
        for (var vh : rc.getVirtualHostsList()) {
            for (var r : vh.getRoutesList()) {
                if (!r.hasRoute()) continue;
                if (!r.getRoute().getCluster().isEmpty()) out.add(r.getRoute().getCluster());
                r.getRoute().getWeightedClustersList().forEach(w -> out.add(w.getName()));
                r.getRoute().getRequestMirrorPoliciesList().forEach(m -> out.add(m.getCluster()));
            }
        }
        return out;
    }

    private static yastack.api.config.VirtualHost virtualHost(VirtualHost vh, String path) throws Rejection {
        only(vh, path, "name", "domains", "routes", "request_headers_to_add", "request_headers_to_remove",
                "response_headers_to_add", "response_headers_to_remove");
        var out = yastack.api.config.VirtualHost.newBuilder().setName(vh.getName()).addAllDomains(vh.getDomainsList())
                .addAllRequestHeadersToRemove(vh.getRequestHeadersToRemoveList())
                .addAllResponseHeadersToRemove(vh.getResponseHeadersToRemoveList());
        out.addAllRequestHeadersToAdd(headers(vh.getRequestHeadersToAddList(), child(path, "request_headers_to_add")));
        out.addAllResponseHeadersToAdd(headers(vh.getResponseHeadersToAddList(), child(path, "response_headers_to_add")));
        for (int i = 0; i < vh.getRoutesCount(); i++) out.addRoutes(route(vh.getRoutes(i), element(path, "routes", i)));
        return out.build();
    }

    private static yastack.api.config.Route route(Route r, String path) throws Rejection {
        only(r, path, "name", "match", "route", "redirect", "direct_response", "request_headers_to_add",
                "request_headers_to_remove", "response_headers_to_add", "response_headers_to_remove", "metadata");
        var out = yastack.api.config.Route.newBuilder().setName(r.getName())
                .setMatch(MatchTranslator.match(r.getMatch(), child(path, "match")))
                .addAllRequestHeadersToRemove(r.getRequestHeadersToRemoveList())
                .addAllResponseHeadersToRemove(r.getResponseHeadersToRemoveList());
        out.addAllRequestHeadersToAdd(headers(r.getRequestHeadersToAddList(), child(path, "request_headers_to_add")));
        out.addAllResponseHeadersToAdd(headers(r.getResponseHeadersToAddList(), child(path, "response_headers_to_add")));
        switch (r.getActionCase()) {
            case ROUTE -> out.setRoute(action(r.getRoute(), child(path, "route")));
            case REDIRECT -> out.setRedirect(redirect(r.getRedirect(), child(path, "redirect")));
            case DIRECT_RESPONSE -> out.setDirectResponse(directResponse(r.getDirectResponse(), child(path, "direct_response")));
            default -> throw new Rejection(path, "needs route, redirect or direct_response");
        }
        return out.build();
    }

    private static yastack.api.config.RouteAction action(RouteAction a, String path) throws Rejection {
        only(a, path, "cluster", "weighted_clusters", "prefix_rewrite", "host_rewrite_literal", "timeout", "retry_policy",
                "hash_policy", "request_mirror_policies");
        var out = yastack.api.config.RouteAction.newBuilder().setPrefixRewrite(a.getPrefixRewrite())
                .setHostRewrite(a.getHostRewriteLiteral());
        if (a.getClusterSpecifierCase() == RouteAction.ClusterSpecifierCase.CLUSTER) {
            out.setCluster(a.getCluster());
        } else if (a.hasWeightedClusters()) {
            WeightedCluster wc = a.getWeightedClusters();
            only(wc, child(path, "weighted_clusters"), "clusters", "total_weight");
            for (int i = 0; i < wc.getClustersCount(); i++) {
                var c = wc.getClusters(i);
                String p = element(child(path, "weighted_clusters"), "clusters", i);
                only(c, p, "name", "weight");
                out.addWeightedClusters(yastack.api.config.WeightedCluster.newBuilder().setName(c.getName())
                        .setWeight(c.hasWeight() ? c.getWeight().getValue() : 0));
            }
        } else {
            throw new Rejection(path, "needs cluster or weighted_clusters");
        }
        if (a.hasTimeout()) out.setTimeout(a.getTimeout());
        if (a.hasRetryPolicy()) {
            var rp = a.getRetryPolicy();
            String p = child(path, "retry_policy");
            only(rp, p, "retry_on", "num_retries", "per_try_timeout", "retriable_status_codes");
            var retry = RetryPolicy.newBuilder().setRetryOn(rp.getRetryOn()).addAllRetriableStatusCodes(rp.getRetriableStatusCodesList());
            if (rp.hasNumRetries()) retry.setNumRetries(rp.getNumRetries().getValue());
            if (rp.hasPerTryTimeout()) retry.setPerTryTimeout(rp.getPerTryTimeout());
            out.setRetryPolicy(retry);
        }
        for (int i = 0; i < a.getRequestMirrorPoliciesCount(); i++) {
            var m = a.getRequestMirrorPolicies(i);
            String p = element(path, "request_mirror_policies", i);
            only(m, p, "cluster", "runtime_fraction");
            var mirror = yastack.api.config.RequestMirrorPolicy.newBuilder().setCluster(m.getCluster());
            if (m.hasRuntimeFraction()) {
                // No runtime here: the fraction is its default value.
                only(m.getRuntimeFraction(), child(p, "runtime_fraction"), "default_value", "runtime_key");
                mirror.setPercent(Fields.percent(m.getRuntimeFraction().getDefaultValue(), child(p, "runtime_fraction.default_value")));
            }
            out.addRequestMirrorPolicies(mirror);
        }
        if (a.getHashPolicyCount() > 1) throw new Rejection(child(path, "hash_policy"), "one hash policy is supported, got " + a.getHashPolicyCount());
        if (a.getHashPolicyCount() == 1) out.setHashPolicy(hashPolicy(a.getHashPolicy(0), element(path, "hash_policy", 0)));
        return out.build();
    }

    private static HashPolicy hashPolicy(RouteAction.HashPolicy h, String path) throws Rejection {
        only(h, path, "header", "cookie", "connection_properties", "query_parameter", "terminal");
        return switch (h.getPolicySpecifierCase()) {
            case HEADER -> {
                only(h.getHeader(), child(path, "header"), "header_name");
                yield HashPolicy.newBuilder().setHeader(h.getHeader().getHeaderName()).build();
            }
            case COOKIE -> {
                only(h.getCookie(), child(path, "cookie"), "name");
                yield HashPolicy.newBuilder().setCookie(h.getCookie().getName()).build();
            }
            case CONNECTION_PROPERTIES -> HashPolicy.newBuilder().setSourceIp(h.getConnectionProperties().getSourceIp()).build();
            case QUERY_PARAMETER -> HashPolicy.newBuilder().setQueryParameter(h.getQueryParameter().getName()).build();
            default -> throw new Rejection(path, "needs header, cookie, connection_properties or query_parameter");
        };
    }

    private static Redirect redirect(RedirectAction r, String path) throws Rejection {
        only(r, path, "path_redirect", "prefix_rewrite", "host_redirect", "scheme_redirect", "https_redirect",
                "response_code", "strip_query");
        int code = switch (r.getResponseCode()) {
            case MOVED_PERMANENTLY -> 301;
            case FOUND -> 302;
            case SEE_OTHER -> 303;
            case TEMPORARY_REDIRECT -> 307;
            case PERMANENT_REDIRECT -> 308;
            default -> throw new Rejection(child(path, "response_code"), "unknown code " + r.getResponseCodeValue());
        };
        return Redirect.newBuilder().setPath(r.getPathRedirect()).setPrefixRewrite(r.getPrefixRewrite())
                .setHost(r.getHostRedirect()).setScheme(r.getHttpsRedirect() ? "https" : r.getSchemeRedirect())
                .setCode(code).setStripQuery(r.getStripQuery()).build();
    }

    private static DirectResponse directResponse(DirectResponseAction d, String path) throws Rejection {
        only(d, path, "status", "body");
        var out = DirectResponse.newBuilder().setStatus(d.getStatus());
        if (d.hasBody()) {
            var body = d.getBody();
            switch (body.getSpecifierCase()) {
                case INLINE_STRING -> out.setBody(body.getInlineString());
                case INLINE_BYTES -> out.setBody(body.getInlineBytes().toStringUtf8());
                default -> throw new Rejection(child(path, "body"), "only inline_string and inline_bytes are supported");
            }
        }
        return out.build();
    }

    /** Envoy appends by default ({@code APPEND_IF_EXISTS_OR_ADD}); our {@code append: false} replaces. */
    @SuppressWarnings("deprecation") // append: deprecated for append_action, still sent
    static List<HeaderValue> headers(List<HeaderValueOption> options, String path) throws Rejection {
        HeaderValue[] out = new HeaderValue[options.size()];
        for (int i = 0; i < options.size(); i++) {
            HeaderValueOption o = options.get(i);
            String p = path + "[" + i + "]";
            only(o, p, "header", "append", "append_action");
            boolean append;
            if (o.hasAppend()) {
                append = o.getAppend().getValue();
            } else {
                append = switch (o.getAppendAction()) {
                    case APPEND_IF_EXISTS_OR_ADD -> true;
                    case OVERWRITE_IF_EXISTS_OR_ADD -> false;
                    default -> throw new Rejection(child(p, "append_action"), o.getAppendAction() + " is not supported");
                };
            }
            only(o.getHeader(), child(p, "header"), "key", "value");
            out[i] = HeaderValue.newBuilder().setName(o.getHeader().getKey()).setValue(o.getHeader().getValue())
                    .setAppend(append).build();
        }
        return List.of(out);
    }
}
