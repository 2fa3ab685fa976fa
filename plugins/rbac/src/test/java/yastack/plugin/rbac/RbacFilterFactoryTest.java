package yastack.plugin.rbac;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.Struct;
import com.google.protobuf.util.JsonFormat;
import org.junit.jupiter.api.Test;
import yastack.api.FilterResult;
import yastack.api.HttpFilter;
import yastack.api.PluginConfig;
import yastack.api.PluginConfigException;
import yastack.api.testkit.TestContext;
import yastack.api.testkit.TestRequest;
import yastack.api.testkit.TestStream;

class RbacFilterFactoryTest {
    private final TestContext ctx = new TestContext("rbac");

    private static PluginConfig config(String json) throws Exception {
        Struct.Builder b = Struct.newBuilder();
        JsonFormat.parser().merge(json, b);
        return PluginConfig.of(b.build());
    }

    /** The status the filter answers {@code request} from {@code ip} with, or 0 when it lets it through. */
    private int verdict(String json, String ip, TestRequest request) throws Exception {
        TestStream stream = new TestStream().remote(ip, 40000);
        HttpFilter f = new RbacFilterFactory().create(config(json), ctx).newStreamFilter(stream);
        FilterResult r = f.onRequestHeaders(stream, request);
        return r instanceof FilterResult.Respond respond ? respond.reply().status() : 0;
    }

    private static final String OFFICE_ONLY_ADMIN = """
            {"policies": {
              "office": {"permissions": [{"url_path": {"prefix": "/admin"}}], "principals": [{"remote_ip": "10.0.0.0/8"}]},
              "public": {"permissions": [{"not": {"url_path": {"prefix": "/admin"}}}], "principals": [{"any": true}]}}}""";

    @Test
    void allowListsLetThroughOnlyWhatAPolicyMatches() throws Exception {
        assertEquals(0, verdict(OFFICE_ONLY_ADMIN, "10.1.2.3", new TestRequest("GET", "/admin/users")));
        assertEquals(403, verdict(OFFICE_ONLY_ADMIN, "192.0.2.7", new TestRequest("GET", "/admin/users")));
        assertEquals(0, verdict(OFFICE_ONLY_ADMIN, "192.0.2.7", new TestRequest("GET", "/shop?admin=1")));
        assertEquals(1, ctx.stat("denied"));
        assertEquals(2, ctx.stat("allowed"));
    }

    @Test
    void denyListsStopWhatAPolicyMatches() throws Exception {
        String json = """
                {"action": "deny", "policies": {"bots": {
                  "permissions": [{"and": [{"method": "POST"}, {"url_path": {"safe_regex": "/api/.*/upload", "ignore_case": true}}]},
                                  {"destination_port": 8443}],
                  "principals": [{"header": {"name": "user-agent", "contains": "scraper"}},
                                 {"remote_ip": "2001:db8::/32"}]}}}""";
        assertEquals(403, verdict(json, "192.0.2.1", new TestRequest("POST", "/API/v1/Upload").header("User-Agent", "a-scraper/1")));
        assertEquals(0, verdict(json, "192.0.2.1", new TestRequest("GET", "/api/v1/upload").header("User-Agent", "a-scraper/1")));
        assertEquals(403, verdict(json, "2001:db8::5", new TestRequest("POST", "/api/x/upload")));
        assertEquals(0, verdict(json, "2001:db9::5", new TestRequest("POST", "/api/x/upload")));
    }

    @Test
    void directRemoteIpIsTheTcpPeerNotTheClientItSpeaksFor() throws Exception {
        String json = """
                {"policies": {"via-lb": {"permissions": [{"any": true}], "principals": [{"direct_remote_ip": "10.0.0.0/8"}]}}}""";
        HttpFilter f = new RbacFilterFactory().create(config(json), ctx).newStreamFilter(new TestStream());
        TestStream behindLb = new TestStream().remote("203.0.113.5", 40000).directRemote("10.0.0.2", 51000);
        assertEquals(FilterResult.proceed(), f.onRequestHeaders(behindLb, new TestRequest("GET", "/")));
        TestStream aroundLb = new TestStream().remote("10.0.0.9", 40000).directRemote("192.0.2.9", 51000);
        assertInstanceOf(FilterResult.Respond.class, f.onRequestHeaders(aroundLb, new TestRequest("GET", "/")),
                "a forwarded-for address inside the range does not make the peer one");
        assertEquals(403, verdict(json.replace("direct_remote_ip", "remote_ip"), "203.0.113.5", new TestRequest("GET", "/")));
    }

    @Test
    void headersCanBeRequiredToBePresent() throws Exception {
        String json = """
                {"policies": {"signed": {"permissions": [{"any": true}], "principals": [{"header": {"name": "x-signature", "present": true}}]}}}""";
        assertEquals(0, verdict(json, "192.0.2.1", new TestRequest("GET", "/").header("x-signature", "abc")));
        assertEquals(403, verdict(json, "192.0.2.1", new TestRequest("GET", "/")));
    }

    @Test
    void shadowModeOnlyCounts() throws Exception {
        String json = OFFICE_ONLY_ADMIN.replaceFirst("\\{", "{\"shadow\": true, ");
        assertEquals(0, verdict(json, "192.0.2.7", new TestRequest("GET", "/admin")));
        assertEquals(1, ctx.stat("shadow_denied"));
        assertEquals(0, ctx.stat("denied"));
    }

    @Test
    void badConfigsNameTheField() {
        PluginConfigException e = assertThrows(PluginConfigException.class, () -> new RbacFilterFactory().validate(config("""
                {"policies": {"p": {"permissions": [{"any": true}], "principals": [{"remote_ip": "10.0.0.0/33"}]}}}""")));
        assertEquals("config.policies.p.principals[0].remote_ip: '10.0.0.0/33': the prefix length must be 0..32", e.getMessage());
        e = assertThrows(PluginConfigException.class, () -> new RbacFilterFactory().validate(config("""
                {"action": "maybe"}""")));
        assertEquals("config.action: \"maybe\" is not one of allow, deny", e.getMessage());
        e = assertThrows(PluginConfigException.class, () -> new RbacFilterFactory().validate(config("""
                {"policies": {"p": {"permissions": [{"url_path": {"prefix": "/a", "exact": "/b"}}], "principals": [{"any": true}]}}}""")));
        assertEquals("config.policies.p.permissions[0].url_path: needs exactly one of exact, prefix, suffix, contains, safe_regex", e.getMessage());
        assertInstanceOf(PluginConfigException.class, assertThrows(PluginConfigException.class, () -> new RbacFilterFactory().validate(config("""
                {"policies": {"p": {"permissions": [{"any": true}], "principals": []}}}"""))));
    }
}
