package yastack.plugin.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import yastack.api.PluginConfigException;
import yastack.api.testkit.TestRequest;
import yastack.api.testkit.TestResponse;
import yastack.api.testkit.TestStream;
import yastack.api.testkit.TestSummary;

class TemplateTest {
    @Test
    void expandsVariables() throws Exception {
        TestStream stream = new TestStream().remote("198.51.100.4", 4242).route("api");
        TestRequest req = new TestRequest("POST", "/v1/items?x=1").header("X-Request-Id", "abc");
        TestResponse resp = new TestResponse(201).header("content-type", "application/json");
        TestSummary summary = new TestSummary(201, 10, 20, 3_500_000, "items", new InetSocketAddress("10.0.0.9", 8080), false, false, req);
        Template t = Template.parse("%DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT% [%DOWNSTREAM_REMOTE_ADDRESS%] \"%REQ_METHOD% %REQ_PATH% %PROTOCOL%\" "
                + "%RESPONSE_CODE% %BYTES_RECEIVED% %BYTES_SENT% %DURATION% %REQ(x-request-id)% %RESP(Content-Type)% "
                + "%UPSTREAM_HOST% %UPSTREAM_CLUSTER% %ROUTE% %LISTENER% %START_TIME% 100%%", "format");
        assertFalse(t.isConstant());
        assertEquals("198.51.100.4 [198.51.100.4:4242] \"POST /v1/items?x=1 HTTP/1.1\" 201 10 20 3 abc application/json "
                        + "10.0.0.9:8080 items api edge 2026-01-02T03:04:05.000Z 100%",
                t.expand(new Template.Vars(stream, req, resp, summary, Instant.parse("2026-01-02T03:04:05Z"))));
        assertEquals("", Template.parse("%REQ(absent)%", "f").expand(new Template.Vars(stream, req, null, null, null)));
        assertTrue(Template.parse("plain 50%% off", "f").isConstant());
    }

    @Test
    void rejectsUnknownVariables() {
        assertEquals("config.request.set.x: unknown command operator %NOPE%",
                assertThrows(PluginConfigException.class, () -> Template.parse("a %NOPE% b", "config.request.set.x")).getMessage());
        assertTrue(assertThrows(PluginConfigException.class, () -> Template.parse("50% off", "f")).getMessage().contains("expected a command operator name"));
    }

    @Test
    void quotesJson() {
        assertEquals("\"a\\\"b\\\\c\\n\\u0001\"", Json.quote(new StringBuilder(), "a\"b\\c\n\u0001").toString());
    }
}
