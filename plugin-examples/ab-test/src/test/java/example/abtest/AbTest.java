package example.abtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import java.util.List;
import org.junit.jupiter.api.Test;
import yastack.api.FilterResult;
import yastack.api.HttpFilter;
import yastack.api.PluginConfig;
import yastack.api.PluginConfigException;
import yastack.api.RouteDecision;
import yastack.api.Router;
import yastack.api.testkit.TestContext;
import yastack.api.testkit.TestRequest;
import yastack.api.testkit.TestResponse;
import yastack.api.testkit.TestStream;

class AbTest {
    private static Value num(double n) {
        return Value.newBuilder().setNumberValue(n).build();
    }

    private static Value str(String s) {
        return Value.newBuilder().setStringValue(s).build();
    }

    @Test
    void newClientGetsAVariantHeaderAndCookie() throws Exception {
        Struct cfg = Struct.newBuilder().putFields("percent_b", num(100)).build();
        TestContext ctx = new TestContext("ab-cookie");
        TestStream stream = new TestStream();
        HttpFilter f = new AbCookieFilterFactory().create(PluginConfig.of(cfg), ctx).newStreamFilter(stream);
        TestRequest req = new TestRequest("GET", "/");
        assertEquals(FilterResult.proceed(), f.onRequestHeaders(stream, req));
        assertEquals("b", req.headers().get("x-variant"));
        TestResponse resp = new TestResponse(200);
        f.onResponseHeaders(stream, resp);
        assertEquals("ab=b; Path=/; Max-Age=86400; SameSite=Lax", resp.headers().get("set-cookie"));
        assertEquals(1, ctx.stat("assigned_b"));
    }

    @Test
    void returningClientKeepsItsVariantAndGetsNoCookie() throws Exception {
        Struct cfg = Struct.newBuilder().putFields("percent_b", num(100)).build();
        TestStream stream = new TestStream();
        HttpFilter f = new AbCookieFilterFactory().create(PluginConfig.of(cfg), new TestContext("ab-cookie")).newStreamFilter(stream);
        TestRequest req = new TestRequest("GET", "/").header("cookie", "theme=dark; ab=a");
        f.onRequestHeaders(stream, req);
        assertEquals("a", req.headers().get("x-variant"));
        TestResponse resp = new TestResponse(200);
        f.onResponseHeaders(stream, resp);
        assertNull(resp.headers().get("set-cookie"));
    }

    @Test
    void routerSendsEachVariantToItsCluster() throws Exception {
        Struct clusters = Struct.newBuilder().putFields("a", str("web-stable")).putFields("b", str("web-canary")).build();
        Struct cfg = Struct.newBuilder().putFields("clusters", Value.newBuilder().setStructValue(clusters).build()).build();
        Router r = new AbRouterFactory().create(PluginConfig.of(cfg), new TestContext("ab-router"));
        TestStream s = new TestStream();
        assertEquals(RouteDecision.toCluster("web-canary").withRouteName("ab-b"), r.route(s, new TestRequest("GET", "/").header("x-variant", "b")));
        assertEquals(RouteDecision.toCluster("web-stable").withRouteName("ab-a"), r.route(s, new TestRequest("GET", "/")));
    }

    @Test
    void findsTheCookieAmongOthers() {
        assertEquals("b", AbCookieFilterFactory.cookieValue(List.of("session=x; ab=b", "theme=dark"), "ab"));
        assertNull(AbCookieFilterFactory.cookieValue(List.of("abc=b"), "ab"));
    }

    @Test
    void rejectsBadConfig() {
        Struct cfg = Struct.newBuilder().putFields("percent_b", num(150)).build();
        PluginConfigException e = assertThrows(PluginConfigException.class, () -> new AbCookieFilterFactory().validate(PluginConfig.of(cfg)));
        assertEquals("config.percent_b: must be in 0..100", e.getMessage());
        assertTrue(assertThrows(PluginConfigException.class, () -> new AbRouterFactory().create(PluginConfig.empty(), new TestContext("ab-router")))
                .getMessage().startsWith("config.clusters: map each variant"));
    }
}
