package yastack.plugin.headers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import yastack.api.FilterResult;
import yastack.api.HttpFilter;
import yastack.api.PluginConfig;
import yastack.api.PluginConfigException;
import yastack.api.testkit.TestContext;
import yastack.api.testkit.TestRequest;
import yastack.api.testkit.TestResponse;
import yastack.api.testkit.TestStream;

class HeadersFilterFactoryTest {
    static Value s(String v) {
        return Value.newBuilder().setStringValue(v).build();
    }

    static Value map(Map<String, Value> m) {
        return Value.newBuilder().setStructValue(Struct.newBuilder().putAllFields(m)).build();
    }

    static Value list(String... vs) {
        ListValue.Builder b = ListValue.newBuilder();
        for (String v : vs) b.addValues(s(v));
        return Value.newBuilder().setListValue(b).build();
    }

    @Test
    void editsRequestAndResponseHeadersWithVariables() throws Exception {
        Struct cfg = Struct.newBuilder()
                .putFields("request", map(Map.of(
                        "set", map(Map.of("x-client-ip", s("%DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT%"), "x-env", s("prod"))),
                        "add", map(Map.of("x-trace", s("trace-%REQ(x-request-id)%"), "x-missing", s("%REQ(nope)%"))),
                        "remove", list("x-internal-token"))))
                .putFields("response", map(Map.of(
                        "set", map(Map.of("x-echo-id", s("%REQ(x-request-id)%"), "x-status", s("%RESPONSE_CODE%"))),
                        "remove", list("server"))))
                .build();
        var configured = new HeadersFilterFactory().create(PluginConfig.of(cfg), new TestContext("headers"));
        TestStream stream = new TestStream().remote("203.0.113.5", 1234);
        HttpFilter f = configured.newStreamFilter(stream);
        TestRequest req = new TestRequest("GET", "/").header("x-request-id", "r-1").header("X-Internal-Token", "secret")
                .header("x-env", "dev");
        assertEquals(FilterResult.proceed(), f.onRequestHeaders(stream, req));
        assertEquals("203.0.113.5", req.headers().get("x-client-ip"));
        assertEquals(List.of("prod"), req.headers().getAll("x-env"));
        assertEquals("trace-r-1", req.headers().get("x-trace"));
        assertNull(req.headers().get("x-internal-token"));
        assertNull(req.headers().get("x-missing"), "empty values are not written");

        TestResponse resp = new TestResponse(200).header("Server", "upstream/1.0");
        f.onResponseHeaders(stream, resp);
        assertEquals("r-1", resp.headers().get("x-echo-id"));
        assertEquals("200", resp.headers().get("x-status"));
        assertNull(resp.headers().get("server"));
    }

    @Test
    void rejectsBadConfig() {
        Struct typo = Struct.newBuilder().putFields("requets", map(Map.of())).build();
        assertTrue(assertThrows(PluginConfigException.class, () -> new HeadersFilterFactory().validate(PluginConfig.of(typo)))
                .getMessage().startsWith("config.requets: unknown field"));
        Struct badVar = Struct.newBuilder().putFields("request", map(Map.of("set", map(Map.of("x", s("%REQ_HOST%")))))).build();
        assertEquals("config.request.set.x: unknown command operator %REQ_HOST%",
                assertThrows(PluginConfigException.class, () -> new HeadersFilterFactory().validate(PluginConfig.of(badVar))).getMessage());
    }
}
