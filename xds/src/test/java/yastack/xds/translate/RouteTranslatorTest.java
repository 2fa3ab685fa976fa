package yastack.xds.translate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static yastack.xds.translate.Refusals.refused;

import com.google.protobuf.BoolValue;
import com.google.protobuf.ByteString;
import com.google.protobuf.UInt32Value;
import com.google.protobuf.util.Durations;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.RuntimeFractionalPercent;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.config.route.v3.DirectResponseAction;
import io.envoyproxy.envoy.config.route.v3.RedirectAction;
import io.envoyproxy.envoy.config.route.v3.RetryPolicy;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.config.route.v3.Vhds;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatchAndSubstitute;
import io.envoyproxy.envoy.type.v3.FractionalPercent;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RouteTranslatorTest {
    private static final RouteMatch ALL = RouteMatch.newBuilder().setPrefix("/").build();

    private static RouteConfiguration table(Route.Builder... routes) {
        VirtualHost.Builder vh = VirtualHost.newBuilder().setName("all").addDomains("*");
        for (var r : routes) vh.addRoutes(r);
        return RouteConfiguration.newBuilder().setName("routes").addVirtualHosts(vh).build();
    }

    private static Route.Builder to(RouteAction.Builder action) {
        return Route.newBuilder().setMatch(ALL).setRoute(action);
    }

    private static HeaderValueOption header(String k, String v) {
        return HeaderValueOption.newBuilder().setHeader(HeaderValue.newBuilder().setKey(k).setValue(v)).build();
    }

    @Test
    void virtualHostsAndHeaderEdits() throws Rejection {
        RouteConfiguration rc = RouteConfiguration.newBuilder().setName("routes").addVirtualHosts(VirtualHost.newBuilder()
                .setName("shop").addDomains("shop.example").addDomains("*.shop.example")
                .addRequestHeadersToAdd(header("x-added", "1"))
                .addRequestHeadersToAdd(header("x-set", "2").toBuilder().setAppendAction(HeaderValueOption.HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD))
                .addResponseHeadersToAdd(header("x-old", "3").toBuilder().setAppend(BoolValue.of(false)))
                .addRequestHeadersToRemove("cookie").addResponseHeadersToRemove("server")
                .addRoutes(to(RouteAction.newBuilder().setCluster("api")).setName("r0")
                        .addRequestHeadersToAdd(header("x-route", "r")).addRequestHeadersToRemove("x-a")
                        .addResponseHeadersToAdd(header("x-resp", "s")).addResponseHeadersToRemove("x-b")))
                .build();
        var vh = RouteTranslator.translate(rc, "").getVirtualHosts(0);
        assertEquals("shop", vh.getName());
        assertEquals(List.of("shop.example", "*.shop.example"), vh.getDomainsList());
        assertEquals("x-added", vh.getRequestHeadersToAdd(0).getName());
        assertEquals("1", vh.getRequestHeadersToAdd(0).getValue());
        assertTrue(vh.getRequestHeadersToAdd(0).getAppend(), "Envoy appends by default");
        assertFalse(vh.getRequestHeadersToAdd(1).getAppend(), "OVERWRITE_IF_EXISTS_OR_ADD replaces");
        assertFalse(vh.getResponseHeadersToAdd(0).getAppend(), "append: false replaces");
        assertEquals(List.of("cookie"), vh.getRequestHeadersToRemoveList());
        assertEquals(List.of("server"), vh.getResponseHeadersToRemoveList());
        var r = vh.getRoutes(0);
        assertEquals("r0", r.getName());
        assertEquals("/", r.getMatch().getPrefix());
        assertEquals("x-route", r.getRequestHeadersToAdd(0).getName());
        assertEquals(List.of("x-a"), r.getRequestHeadersToRemoveList());
        assertEquals("x-resp", r.getResponseHeadersToAdd(0).getName());
        assertEquals(List.of("x-b"), r.getResponseHeadersToRemoveList());
    }

    @Test
    void routeActionsFieldByField() throws Rejection {
        RouteConfiguration rc = table(
                to(RouteAction.newBuilder().setCluster("api").setPrefixRewrite("/v2/").setHostRewriteLiteral("api.internal")
                        .setTimeout(Durations.fromMillis(2500))
                        .setRetryPolicy(RetryPolicy.newBuilder().setRetryOn("5xx,reset").setNumRetries(UInt32Value.of(2))
                                .setPerTryTimeout(Durations.fromSeconds(1)).addRetriableStatusCodes(503))
                        .addHashPolicy(RouteAction.HashPolicy.newBuilder().setHeader(RouteAction.HashPolicy.Header.newBuilder().setHeaderName("x-user")))
                        .addRequestMirrorPolicies(RouteAction.RequestMirrorPolicy.newBuilder().setCluster("api-next")
                                .setRuntimeFraction(RuntimeFractionalPercent.newBuilder().setDefaultValue(FractionalPercent.newBuilder()
                                        .setNumerator(2500).setDenominator(FractionalPercent.DenominatorType.TEN_THOUSAND))))),
                to(RouteAction.newBuilder().setWeightedClusters(WeightedCluster.newBuilder()
                        .addClusters(WeightedCluster.ClusterWeight.newBuilder().setName("blue").setWeight(UInt32Value.of(90)))
                        .addClusters(WeightedCluster.ClusterWeight.newBuilder().setName("green").setWeight(UInt32Value.of(10))))
                        .addHashPolicy(RouteAction.HashPolicy.newBuilder().setCookie(RouteAction.HashPolicy.Cookie.newBuilder().setName("sid")))),
                to(RouteAction.newBuilder().setCluster("c").addHashPolicy(RouteAction.HashPolicy.newBuilder()
                        .setConnectionProperties(RouteAction.HashPolicy.ConnectionProperties.newBuilder().setSourceIp(true)))),
                to(RouteAction.newBuilder().setCluster("d").addHashPolicy(RouteAction.HashPolicy.newBuilder()
                        .setQueryParameter(RouteAction.HashPolicy.QueryParameter.newBuilder().setName("u")))));
        var out = RouteTranslator.translate(rc, "");
        var a = out.getVirtualHosts(0).getRoutes(0).getRoute();
        assertEquals("api", a.getCluster());
        assertEquals("/v2/", a.getPrefixRewrite());
        assertEquals("api.internal", a.getHostRewrite());
        assertEquals(2500, Durations.toMillis(a.getTimeout()));
        assertEquals("5xx,reset", a.getRetryPolicy().getRetryOn());
        assertEquals(2, a.getRetryPolicy().getNumRetries());
        assertEquals(1, a.getRetryPolicy().getPerTryTimeout().getSeconds());
        assertEquals(List.of(503), a.getRetryPolicy().getRetriableStatusCodesList());
        assertEquals("x-user", a.getHashPolicy().getHeader());
        assertEquals("api-next", a.getRequestMirrorPolicies(0).getCluster());
        assertEquals(25.0, a.getRequestMirrorPolicies(0).getPercent());
        var w = out.getVirtualHosts(0).getRoutes(1).getRoute();
        assertEquals("blue", w.getWeightedClusters(0).getName());
        assertEquals(90, w.getWeightedClusters(0).getWeight());
        assertEquals("green", w.getWeightedClusters(1).getName());
        assertEquals(10, w.getWeightedClusters(1).getWeight());
        assertEquals("sid", w.getHashPolicy().getCookie());
        assertTrue(out.getVirtualHosts(0).getRoutes(2).getRoute().getHashPolicy().getSourceIp());
        assertEquals("u", out.getVirtualHosts(0).getRoutes(3).getRoute().getHashPolicy().getQueryParameter());
        assertFalse(out.getVirtualHosts(0).getRoutes(2).getRoute().hasRetryPolicy());
        assertEquals(Set.of("api", "api-next", "blue", "green", "c", "d"), RouteTranslator.clusters(out), "mirrors' clusters too");
    }

    @Test
    void redirectsAndDirectResponses() throws Rejection {
        var out = RouteTranslator.translate(table(
                Route.newBuilder().setMatch(ALL).setRedirect(RedirectAction.newBuilder().setHttpsRedirect(true).setHostRedirect("b.example")
                        .setResponseCode(RedirectAction.RedirectResponseCode.PERMANENT_REDIRECT).setStripQuery(true)),
                Route.newBuilder().setMatch(ALL).setRedirect(RedirectAction.newBuilder().setSchemeRedirect("http").setPathRedirect("/new")),
                Route.newBuilder().setMatch(ALL).setRedirect(RedirectAction.newBuilder().setPrefixRewrite("/p/")
                        .setResponseCode(RedirectAction.RedirectResponseCode.SEE_OTHER)),
                Route.newBuilder().setMatch(ALL).setDirectResponse(DirectResponseAction.newBuilder().setStatus(418)
                        .setBody(DataSource.newBuilder().setInlineString("teapot\n"))),
                Route.newBuilder().setMatch(ALL).setDirectResponse(DirectResponseAction.newBuilder().setStatus(200)
                        .setBody(DataSource.newBuilder().setInlineBytes(ByteString.copyFromUtf8("bytes")))),
                Route.newBuilder().setMatch(ALL).setDirectResponse(DirectResponseAction.newBuilder().setStatus(204))), "");
        var routes = out.getVirtualHosts(0).getRoutesList();
        var r0 = routes.get(0).getRedirect();
        assertEquals("https", r0.getScheme());
        assertEquals("b.example", r0.getHost());
        assertEquals(308, r0.getCode());
        assertTrue(r0.getStripQuery());
        var r1 = routes.get(1).getRedirect();
        assertEquals("http", r1.getScheme());
        assertEquals("/new", r1.getPath());
        assertEquals(301, r1.getCode(), "Envoy's default: MOVED_PERMANENTLY");
        assertEquals("/p/", routes.get(2).getRedirect().getPrefixRewrite());
        assertEquals(303, routes.get(2).getRedirect().getCode());
        assertEquals(418, routes.get(3).getDirectResponse().getStatus());
        assertEquals("teapot\n", routes.get(3).getDirectResponse().getBody());
        assertEquals("bytes", routes.get(4).getDirectResponse().getBody());
        assertEquals("", routes.get(5).getDirectResponse().getBody());
        assertEquals(Set.of(), RouteTranslator.clusters(out));
    }

    @Test
    void refusalsNameTheField() {
        refused("vhds: not supported", () -> RouteTranslator.translate(table().toBuilder()
                .setVhds(Vhds.getDefaultInstance()).build(), ""));
        refused("virtual_hosts[0].require_tls: not supported", () -> RouteTranslator.translate(RouteConfiguration.newBuilder()
                .addVirtualHosts(VirtualHost.newBuilder().setRequireTls(VirtualHost.TlsRequirementType.ALL)).build(), ""));
        refused("virtual_hosts[0].routes[1]: needs route, redirect or direct_response", () -> RouteTranslator.translate(
                table(to(RouteAction.newBuilder().setCluster("a")), Route.newBuilder().setMatch(ALL)), ""));
        refused("virtual_hosts[0].routes[0].route: needs cluster or weighted_clusters", () -> RouteTranslator.translate(
                table(to(RouteAction.newBuilder().setTimeout(Durations.fromSeconds(1)))), ""));
        refused("virtual_hosts[0].routes[0].route.cluster_header: not supported", () -> RouteTranslator.translate(
                table(to(RouteAction.newBuilder().setClusterHeader("x-cluster"))), ""));
        refused("virtual_hosts[0].routes[0].route.max_stream_duration: not supported", () -> RouteTranslator.translate(
                table(to(RouteAction.newBuilder().setCluster("a").setMaxStreamDuration(RouteAction.MaxStreamDuration.getDefaultInstance()))), ""));
        refused("virtual_hosts[0].routes[0].route.weighted_clusters.clusters[0].request_headers_to_add: not supported",
                () -> RouteTranslator.translate(table(to(RouteAction.newBuilder().setWeightedClusters(WeightedCluster.newBuilder()
                        .addClusters(WeightedCluster.ClusterWeight.newBuilder().setName("a").addRequestHeadersToAdd(header("x", "y")))))), ""));
        refused("virtual_hosts[0].routes[0].route.retry_policy.retry_back_off: not supported", () -> RouteTranslator.translate(
                table(to(RouteAction.newBuilder().setCluster("a").setRetryPolicy(RetryPolicy.newBuilder()
                        .setRetryBackOff(RetryPolicy.RetryBackOff.newBuilder().setBaseInterval(Durations.fromMillis(10)))))), ""));
        refused("virtual_hosts[0].routes[0].route.hash_policy: one hash policy is supported, got 2", () -> RouteTranslator.translate(
                table(to(RouteAction.newBuilder().setCluster("a")
                        .addHashPolicy(RouteAction.HashPolicy.newBuilder().setHeader(RouteAction.HashPolicy.Header.newBuilder().setHeaderName("a")))
                        .addHashPolicy(RouteAction.HashPolicy.newBuilder().setHeader(RouteAction.HashPolicy.Header.newBuilder().setHeaderName("b"))))), ""));
        refused("virtual_hosts[0].routes[0].route.hash_policy[0].cookie.ttl: not supported", () -> RouteTranslator.translate(
                table(to(RouteAction.newBuilder().setCluster("a").addHashPolicy(RouteAction.HashPolicy.newBuilder()
                        .setCookie(RouteAction.HashPolicy.Cookie.newBuilder().setName("s").setTtl(Durations.fromSeconds(1)))))), ""));
        refused("virtual_hosts[0].routes[0].route.hash_policy[0]: needs header, cookie, connection_properties or query_parameter",
                () -> RouteTranslator.translate(table(to(RouteAction.newBuilder().setCluster("a").addHashPolicy(RouteAction.HashPolicy.newBuilder()
                        .setTerminal(true)))), ""));
        refused("virtual_hosts[0].routes[0].redirect.regex_rewrite: not supported", () -> RouteTranslator.translate(table(
                Route.newBuilder().setMatch(ALL).setRedirect(RedirectAction.newBuilder().setRegexRewrite(
                        RegexMatchAndSubstitute.getDefaultInstance()))), ""));
        refused("virtual_hosts[0].routes[0].direct_response.body: only inline_string and inline_bytes are supported",
                () -> RouteTranslator.translate(table(Route.newBuilder().setMatch(ALL).setDirectResponse(DirectResponseAction.newBuilder()
                        .setStatus(200).setBody(DataSource.newBuilder().setFilename("/etc/passwd")))), ""));
        refused("virtual_hosts[0].request_headers_to_add[0].append_action: ADD_IF_ABSENT is not supported", () -> RouteTranslator.translate(
                RouteConfiguration.newBuilder().addVirtualHosts(VirtualHost.newBuilder().addRequestHeadersToAdd(header("a", "b").toBuilder()
                        .setAppendAction(HeaderValueOption.HeaderAppendAction.ADD_IF_ABSENT))).build(), ""));
        refused("virtual_hosts[0].routes[0].request_headers_to_add[0].keep_empty_value: not supported", () -> RouteTranslator.translate(
                table(to(RouteAction.newBuilder().setCluster("a")).addRequestHeadersToAdd(header("a", "b").toBuilder().setKeepEmptyValue(true))), ""));
        refused("virtual_hosts[0].routes[0].match: needs prefix, path or safe_regex", () -> RouteTranslator.translate(
                table(Route.newBuilder().setMatch(RouteMatch.getDefaultInstance()).setRoute(RouteAction.newBuilder().setCluster("a"))), ""));
    }
}
