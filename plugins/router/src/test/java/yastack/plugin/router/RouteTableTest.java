package yastack.plugin.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import yastack.api.HashKey;
import yastack.api.PluginConfig;
import yastack.api.PluginConfigException;
import yastack.api.RetryRules;
import yastack.api.RouteDecision;
import yastack.api.Router;
import yastack.api.config.DirectResponse;
import yastack.api.config.HashPolicy;
import yastack.api.config.HeaderMatcher;
import yastack.api.config.HeaderValue;
import yastack.api.config.QueryParameterMatcher;
import yastack.api.config.Redirect;
import yastack.api.config.RetryPolicy;
import yastack.api.config.Route;
import yastack.api.config.RouteAction;
import yastack.api.config.RouteConfig;
import yastack.api.config.RouteMatch;
import yastack.api.config.VirtualHost;
import yastack.api.config.WeightedCluster;
import yastack.api.testkit.TestContext;
import yastack.api.testkit.TestRequest;
import yastack.api.testkit.TestStream;

/** route_config as the built-in router plugin compiles and applies it. */
class RouteTableTest {
    private static Route.Builder to(String cluster, RouteMatch.Builder match) {
        return Route.newBuilder().setMatch(match).setRoute(RouteAction.newBuilder().setCluster(cluster));
    }

    private static Router router(RouteConfig rc) throws PluginConfigException {
        return new RouteTableFactory().create(PluginConfig.of(rc, "listeners[0].http.route_config"), new TestContext("route-table"));
    }

    private static RouteDecision route(Router r, TestRequest req) {
        return r.route(new TestStream(), req);
    }

    private static String cluster(RouteDecision d) {
        return assertInstanceOf(RouteDecision.ToCluster.class, d).cluster();
    }

    @Test
    void virtualHostsByAuthorityAsEnvoyPicksThem() throws Exception {
        Router r = router(RouteConfig.newBuilder()
                .addVirtualHosts(VirtualHost.newBuilder().setName("exact").addDomains("api.example.com")
                        .addRoutes(to("exact", RouteMatch.newBuilder())))
                .addVirtualHosts(VirtualHost.newBuilder().setName("suffix").addDomains("*.example.com")
                        .addRoutes(to("suffix", RouteMatch.newBuilder())))
                .addVirtualHosts(VirtualHost.newBuilder().setName("prefix").addDomains("www.*")
                        .addRoutes(to("prefix", RouteMatch.newBuilder())))
                .addVirtualHosts(VirtualHost.newBuilder().setName("any").addDomains("*")
                        .addRoutes(to("any", RouteMatch.newBuilder())))
                .build());
        assertEquals("exact", cluster(route(r, new TestRequest("GET", "/").header("host", "API.example.com:8443"))));
        assertEquals("suffix", cluster(route(r, new TestRequest("GET", "/").header("host", "img.example.com"))));
        assertEquals("prefix", cluster(route(r, new TestRequest("GET", "/").header("host", "www.other.org"))));
        assertEquals("any", cluster(route(r, new TestRequest("GET", "/").header("host", "example.com"))));
    }

    @Test
    void firstMatchingRouteWins() throws Exception {
        Router r = router(RouteConfig.newBuilder().addVirtualHosts(VirtualHost.newBuilder().setName("v").addDomains("*")
                .addRoutes(to("exact-path", RouteMatch.newBuilder().setPath("/login")).setName("login"))
                .addRoutes(to("regex", RouteMatch.newBuilder().setRegex("^/v[0-9]+/.*")))
                .addRoutes(to("canary", RouteMatch.newBuilder().setPrefix("/api/")
                        .addHeaders(HeaderMatcher.newBuilder().setName("x-canary").setExact("1"))))
                .addRoutes(to("not-bot", RouteMatch.newBuilder().setPrefix("/api/")
                        .addHeaders(HeaderMatcher.newBuilder().setName("user-agent").setContains("bot").setInvert(true))))
                .addRoutes(to("query", RouteMatch.newBuilder().setPrefix("/s")
                        .addQueryParameters(QueryParameterMatcher.newBuilder().setName("q").setPrefix("ya"))))
                .addRoutes(to("posts", RouteMatch.newBuilder().setPrefix("/S").setCaseInsensitive(true).addMethods("post")))
                ).build());
        assertEquals("exact-path", cluster(route(r, new TestRequest("GET", "/login"))));
        assertEquals("login", r.peekRouteName(new TestStream(), new TestRequest("GET", "/login")));
        assertEquals("regex", cluster(route(r, new TestRequest("GET", "/v2/x"))));
        assertEquals("canary", cluster(route(r, new TestRequest("GET", "/api/x").header("x-canary", "1"))));
        assertEquals("not-bot", cluster(route(r, new TestRequest("GET", "/api/x").header("user-agent", "curl"))));
        assertEquals(RouteDecision.noRoute(), route(r, new TestRequest("GET", "/api/x").header("user-agent", "googlebot")));
        assertEquals("query", cluster(route(r, new TestRequest("GET", "/s?x=1&q=yastack"))));
        assertEquals("posts", cluster(route(r, new TestRequest("POST", "/search?q=no"))));
        assertEquals(RouteDecision.noRoute(), route(r, new TestRequest("GET", "/search?q=no")));
        assertEquals("", r.peekRouteName(new TestStream(), new TestRequest("GET", "/nowhere")));
    }

    @Test
    void aRoutesDecisionCarriesItsPolicyAndIsBuiltOnce() throws Exception {
        Route route = to("api", RouteMatch.newBuilder().setPrefix("/api/")).setName("api")
                .setRoute(RouteAction.newBuilder().setCluster("api").setPrefixRewrite("/").setHostRewrite("internal")
                        .setTimeout(Duration.newBuilder().setSeconds(2))
                        .setHashPolicy(HashPolicy.newBuilder().setHeader("x-user"))
                        .setRetryPolicy(RetryPolicy.newBuilder().setRetryOn("5xx").setNumRetries(2)))
                .addRequestHeadersToAdd(HeaderValue.newBuilder().setName("x-route").setValue("api"))
                .build();
        Router r = router(RouteConfig.newBuilder().addVirtualHosts(VirtualHost.newBuilder().setName("v").addDomains("*")
                .addRoutes(route).addResponseHeadersToRemove("server")).build());
        TestRequest req = new TestRequest("GET", "/api/users?id=1");
        RouteDecision.ToCluster d = assertInstanceOf(RouteDecision.ToCluster.class, route(r, req));
        assertSame(d, route(r, req), "no allocation per request");
        assertEquals("/api/users?id=1", req.uri(), "the request itself is not changed");
        assertEquals("/users?id=1", d.rewritePath(req.uri()));
        assertEquals("internal", d.hostRewrite());
        assertEquals(2000, d.timeoutMillis());
        assertEquals(HashKey.header("x-user"), d.hashKey());
        assertEquals(2, d.retry().numRetries());
        assertTrue(d.retry().retryOn().contains(RetryRules.On.FIVE_XX));
        assertEquals("x-route", d.headers().requestAdd().getFirst().name());
        assertEquals("server", d.headers().responseRemove().getFirst(), "the virtual host's edits join the route's");
    }

    @Test
    void weightedClustersSplitByWeight() throws Exception {
        Router r = router(RouteConfig.newBuilder().addVirtualHosts(VirtualHost.newBuilder().setName("v").addDomains("*")
                .addRoutes(Route.newBuilder().setMatch(RouteMatch.newBuilder()).setRoute(RouteAction.newBuilder()
                        .addWeightedClusters(WeightedCluster.newBuilder().setName("v1").setWeight(90))
                        .addWeightedClusters(WeightedCluster.newBuilder().setName("v2").setWeight(10))))).build());
        Map<String, Integer> n = new HashMap<>();
        for (int i = 0; i < 10_000; i++) n.merge(cluster(route(r, new TestRequest("GET", "/"))), 1, Integer::sum);
        assertTrue(n.get("v2") > 800 && n.get("v2") < 1200, "about 10%: " + n);
    }

    @Test
    void directResponsesAndRedirects() throws Exception {
        Router r = router(RouteConfig.newBuilder().addVirtualHosts(VirtualHost.newBuilder().setName("v").addDomains("*")
                .addResponseHeadersToAdd(HeaderValue.newBuilder().setName("x-edge").setValue("1"))
                .addRoutes(Route.newBuilder().setMatch(RouteMatch.newBuilder().setPath("/healthz"))
                        .setDirectResponse(DirectResponse.newBuilder().setStatus(200).setBody("ok")))
                .addRoutes(Route.newBuilder().setMatch(RouteMatch.newBuilder().setPrefix("/old/"))
                        .setRedirect(Redirect.newBuilder().setPrefixRewrite("/new/")))
                .addRoutes(Route.newBuilder().setMatch(RouteMatch.newBuilder().setPrefix("/tls"))
                        .setRedirect(Redirect.newBuilder().setScheme("https").setCode(308).setStripQuery(true)))).build());
        var direct = assertInstanceOf(RouteDecision.Respond.class, route(r, new TestRequest("GET", "/healthz"))).reply();
        assertEquals(200, direct.status());
        assertEquals("ok", direct.body());
        assertEquals("1", direct.header("x-edge"));
        var moved = assertInstanceOf(RouteDecision.Respond.class,
                route(r, new TestRequest("GET", "/old/a?b=c").header("host", "example.com"))).reply();
        assertEquals(301, moved.status());
        assertEquals("http://example.com/new/a?b=c", moved.header("location"));
        var tls = assertInstanceOf(RouteDecision.Respond.class,
                route(r, new TestRequest("GET", "/tls/x?y=1").header("host", "example.com"))).reply();
        assertEquals(308, tls.status());
        assertEquals("https://example.com/tls/x", tls.header("location"));
    }

    @Test
    void keyValueConfigIsRefused() {
        PluginConfigException e = assertThrows(PluginConfigException.class,
                () -> new RouteTableFactory().validate(PluginConfig.empty()));
        assertTrue(e.getMessage().contains("expected a RouteConfig"), e.getMessage());
    }
}
