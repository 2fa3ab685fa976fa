package yastack.plugin.cors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import org.junit.jupiter.api.Test;
import yastack.api.ConfiguredHttpFilter;
import yastack.api.FilterResult;
import yastack.api.HttpFilter;
import yastack.api.LocalReply;
import yastack.api.PluginConfig;
import yastack.api.PluginConfigException;
import yastack.api.testkit.TestContext;
import yastack.api.testkit.TestRequest;
import yastack.api.testkit.TestResponse;
import yastack.api.testkit.TestStream;

class CorsFilterFactoryTest {
    private final TestContext ctx = new TestContext("cors");
    private final TestStream stream = new TestStream();

    private static Value list(String... vs) {
        ListValue.Builder b = ListValue.newBuilder();
        for (String v : vs) b.addValues(Value.newBuilder().setStringValue(v));
        return Value.newBuilder().setListValue(b).build();
    }

    private ConfiguredHttpFilter filter(boolean credentials, String... origins) throws PluginConfigException {
        Struct cfg = Struct.newBuilder()
                .putFields("allow_origins", list(origins))
                .putFields("allow_methods", list("GET", "PUT"))
                .putFields("expose_headers", list("x-request-id"))
                .putFields("max_age", Value.newBuilder().setStringValue("10m").build())
                .putFields("allow_credentials", Value.newBuilder().setBoolValue(credentials).build())
                .build();
        return new CorsFilterFactory().create(PluginConfig.of(cfg), ctx);
    }

    private static TestRequest preflight(String origin) {
        return new TestRequest("OPTIONS", "/api").header("Origin", origin).header("Access-Control-Request-Method", "PUT")
                .header("Access-Control-Request-Headers", "content-type");
    }

    @Test
    void answersPreflightFromAllowedOrigin() throws Exception {
        HttpFilter f = filter(false, "https://app.example.com", "https://*.example.org").newStreamFilter(stream);
        LocalReply r = assertInstanceOf(FilterResult.Respond.class, f.onRequestHeaders(stream, preflight("https://eu.cdn.example.org"))).reply();
        assertEquals(204, r.status());
        assertEquals("https://eu.cdn.example.org", r.header("access-control-allow-origin"));
        assertEquals("GET, PUT", r.header("access-control-allow-methods"));
        assertEquals("content-type", r.header("access-control-allow-headers"));
        assertEquals("600", r.header("access-control-max-age"));
        assertEquals(1, ctx.stat("preflight"));
    }

    @Test
    void deniesPreflightFromOtherOrigins() throws Exception {
        HttpFilter f = filter(false, "https://app.example.com", "https://*.example.org").newStreamFilter(stream);
        assertEquals(403, assertInstanceOf(FilterResult.Respond.class, f.onRequestHeaders(stream, preflight("https://example.org.evil.com")))
                .reply().status());
        assertEquals(403, assertInstanceOf(FilterResult.Respond.class, f.onRequestHeaders(stream, preflight("https://example.org")))
                .reply().status());
        assertEquals(2, ctx.stat("denied"));
    }

    @Test
    void addsHeadersToActualRequestsFromAllowedOrigins() throws Exception {
        ConfiguredHttpFilter c = filter(true, "*");
        HttpFilter f = c.newStreamFilter(stream);
        assertEquals(FilterResult.proceed(), f.onRequestHeaders(stream, new TestRequest("GET", "/").header("origin", "https://x.test")));
        TestResponse resp = new TestResponse(200);
        f.onResponseHeaders(stream, resp);
        assertEquals("https://x.test", resp.headers().get("access-control-allow-origin"), "credentials forbid '*'");
        assertEquals("true", resp.headers().get("access-control-allow-credentials"));
        assertEquals("x-request-id", resp.headers().get("access-control-expose-headers"));

        HttpFilter same = c.newStreamFilter(stream);
        same.onRequestHeaders(stream, new TestRequest("GET", "/"));
        TestResponse plain = new TestResponse(200);
        same.onResponseHeaders(stream, plain);
        assertNull(plain.headers().get("access-control-allow-origin"), "same-origin requests get no CORS headers");
    }

    @Test
    void requiresOrigins() {
        assertEquals("config.allow_origins: list at least one origin (or \"*\")",
                assertThrows(PluginConfigException.class, () -> new CorsFilterFactory().validate(PluginConfig.empty())).getMessage());
    }
}
