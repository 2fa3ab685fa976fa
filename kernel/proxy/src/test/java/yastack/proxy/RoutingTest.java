package yastack.proxy;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import yastack.proxy.fixtures.ProxyHarness;
import yastack.proxy.fixtures.TestUpstream;

/** Every route match type and every route action, through the real proxy with real upstreams. */
class RoutingTest {
    static TestUpstream a, b, c;
    static ProxyHarness proxy;

    @BeforeAll
    static void start() throws Exception {
        a = new TestUpstream("a");
        b = new TestUpstream("b");
        c = new TestUpstream("c");
        proxy = new ProxyHarness("""
                admin: {address: 127.0.0.1, port: 9901}
                listeners:
                  - name: web
                    address: 127.0.0.1
                    port: ${PORT}
                    http:
                      route_config:
                        virtual_hosts:
                          - name: exact
                            domains: ["exact.test"]
                            routes:
                              - match: {prefix: "/"}
                                direct_response: {status: 200, body: "exact host"}
                          - name: suffix
                            domains: ["*.wild.test"]
                            routes:
                              - match: {prefix: "/"}
                                direct_response: {status: 200, body: "suffix host"}
                          - name: prefixhost
                            domains: ["pre.*"]
                            routes:
                              - match: {prefix: "/"}
                                direct_response: {status: 200, body: "prefix host"}
                          - name: default
                            domains: ["*"]
                            response_headers_to_add: [{name: x-vhost, value: default}]
                            routes:
                              - match: {path: "/healthz"}
                                direct_response: {status: 200, body: "ok"}
                              - match: {path: "/CaseI", case_insensitive: true}
                                direct_response: {status: 200, body: "case insensitive"}
                              - match: {prefix: "/api/", headers: [{name: x-canary, exact: "1"}]}
                                route: {cluster: cb, prefix_rewrite: "/canary/"}
                              - match: {prefix: "/api/", headers: [{name: x-tier, prefix: "gold"}]}
                                route: {cluster: cc}
                              - match: {prefix: "/api/", headers: [{name: x-re, regex: "v[0-9]+"}]}
                                route: {cluster: cc}
                              - match: {prefix: "/api/", headers: [{name: x-debug, present: true}]}
                                route: {cluster: cc}
                              - match: {prefix: "/api/"}
                                route: {cluster: ca, prefix_rewrite: "/", timeout: 5s}
                                request_headers_to_add: [{name: x-added, value: yes}]
                                request_headers_to_remove: [x-secret]
                                response_headers_to_add: [{name: x-resp-added, value: "1"}]
                                response_headers_to_remove: [x-upstream]
                              - match: {regex: "^/v[0-9]+/.*"}
                                route: {weighted_clusters: [{name: ca, weight: 80}, {name: cb, weight: 20}]}
                              - match: {prefix: "/q", query_parameters: [{name: flag, exact: "on"}]}
                                route: {cluster: cb}
                              - match: {prefix: "/q", query_parameters: [{name: id, regex: "[0-9]+"}]}
                                route: {cluster: cc}
                              - match: {prefix: "/post", methods: [POST]}
                                route: {cluster: cb}
                              - match: {prefix: "/host"}
                                route: {cluster: ca, host_rewrite: "rewritten.example"}
                              - match: {prefix: "/old"}
                                redirect: {path: "/new", code: 301}
                              - match: {prefix: "/moved/"}
                                redirect: {prefix_rewrite: "/here/", code: 308, host: "other.example", scheme: https}
                              - match: {prefix: "/plain"}
                                route: {cluster: ca}
                clusters:
                  - {name: ca, endpoints: [{address: 127.0.0.1, port: %d}]}
                  - {name: cb, endpoints: [{address: 127.0.0.1, port: %d}]}
                  - {name: cc, endpoints: [{address: 127.0.0.1, port: %d}]}
                """.formatted(a.port(), b.port(), c.port()), 2);
    }

    @AfterAll
    static void stop() {
        proxy.close();
        a.close();
        b.close();
        c.close();
    }

    @Test
    void directResponseOnExactPath() throws Exception {
        HttpResponse<String> r = proxy.get("/healthz");
        assertEquals(200, r.statusCode());
        assertEquals("ok", r.body());
        assertEquals("default", r.headers().firstValue("x-vhost").orElseThrow());
        assertEquals(404, proxy.get("/healthz/more").statusCode());
    }

    @Test
    void caseInsensitivePath() throws Exception {
        assertEquals("case insensitive", proxy.get("/casei").body());
    }

    @Test
    void virtualHostsByAuthority() throws Exception {
        assertEquals("exact host", proxy.raw("GET / HTTP/1.1\r\nHost: exact.test\r\nConnection: close\r\n\r\n", 5000).split("\r\n\r\n", 2)[1]);
        assertEquals("suffix host", proxy.raw("GET / HTTP/1.1\r\nHost: a.b.wild.test:8080\r\nConnection: close\r\n\r\n", 5000).split("\r\n\r\n", 2)[1]);
        assertEquals("prefix host", proxy.raw("GET / HTTP/1.1\r\nHost: pre.example\r\nConnection: close\r\n\r\n", 5000).split("\r\n\r\n", 2)[1]);
        // absolute-form target overrides Host
        assertEquals("exact host", proxy.raw("GET http://exact.test/x HTTP/1.1\r\nHost: other\r\nConnection: close\r\n\r\n", 5000).split("\r\n\r\n", 2)[1]);
    }

    @Test
    void prefixRouteWithRewriteAndHeaderEdits() throws Exception {
        HttpResponse<String> r = proxy.get("/api/users?x=1", "x-secret", "s3cret");
        assertEquals(200, r.statusCode());
        assertTrue(r.body().contains("upstream=a\n"), r.body());
        assertTrue(r.body().contains("uri=/users?x=1\n"), r.body());
        assertTrue(r.body().contains("h:x-added=yes\n"), r.body());
        assertFalse(r.body().contains("x-secret"), r.body());
        assertTrue(r.body().contains("h:x-forwarded-for=127.0.0.1\n"), r.body());
        assertTrue(r.body().contains("h:x-forwarded-proto=http\n"), r.body());
        assertTrue(r.body().matches("(?s).*h:x-request-id=[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\n.*"), r.body());
        assertTrue(r.body().contains("h:host=127.0.0.1:" + proxy.port + "\n"), r.body());
        assertEquals("1", r.headers().firstValue("x-resp-added").orElseThrow());
        assertTrue(r.headers().firstValue("x-upstream").isEmpty());
    }

    @Test
    void externalClientsRequestIdIsReplaced() throws Exception {
        // use_remote_address (the default) and no trusted hops: the client is outside, as in Envoy.
        HttpResponse<String> r = proxy.get("/plain", "x-request-id", "abc-123");
        assertFalse(r.body().contains("h:x-request-id=abc-123\n"), r.body());
        assertTrue(r.body().matches("(?s).*h:x-request-id=[0-9a-f-]{36}\n.*"), r.body());
    }

    @Test
    void headerMatchers() throws Exception {
        HttpResponse<String> canary = proxy.get("/api/x", "x-canary", "1");
        assertTrue(canary.body().contains("upstream=b\n") && canary.body().contains("uri=/canary/x\n"), canary.body());
        assertTrue(proxy.get("/api/x", "x-canary", "2").body().contains("upstream=a\n"));
        assertTrue(proxy.get("/api/x", "x-tier", "gold-plus").body().contains("upstream=c\n"));
        assertTrue(proxy.get("/api/x", "x-re", "v12").body().contains("upstream=c\n"));
        assertTrue(proxy.get("/api/x", "x-re", "xv12").body().contains("upstream=a\n"), "regex matches the whole value");
        assertTrue(proxy.get("/api/x", "x-debug", "").body().contains("upstream=c\n"));
    }

    @Test
    void queryParameterMatchers() throws Exception {
        assertTrue(proxy.get("/q?flag=on").body().contains("upstream=b\n"));
        assertTrue(proxy.get("/q?id=42").body().contains("upstream=c\n"));
        assertEquals(404, proxy.get("/q?id=abc").statusCode());
    }

    @Test
    void methodMatcher() throws Exception {
        var req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.port + "/post"))
                .POST(HttpRequest.BodyPublishers.ofString("hello")).build();
        HttpResponse<String> r = proxy.client.send(req, HttpResponse.BodyHandlers.ofString());
        assertTrue(r.body().contains("upstream=b\n") && r.body().contains("body=hello\n"), r.body());
        assertEquals(404, proxy.get("/post").statusCode());
    }

    @Test
    void hostRewrite() throws Exception {
        assertTrue(proxy.get("/host").body().contains("h:host=rewritten.example\n"));
    }

    @Test
    void redirects() throws Exception {
        HttpResponse<String> r = proxy.get("/old/thing?a=b");
        assertEquals(301, r.statusCode());
        assertEquals("http://127.0.0.1:" + proxy.port + "/new?a=b", r.headers().firstValue("location").orElseThrow());
        HttpResponse<String> m = proxy.get("/moved/x/y");
        assertEquals(308, m.statusCode());
        assertEquals("https://other.example/here/x/y", m.headers().firstValue("location").orElseThrow());
    }

    @Test
    void noRouteIs404WithCounter() throws Exception {
        long before = proxy.stat("http.web.no_route");
        HttpResponse<String> r = proxy.get("/nothing-here");
        assertEquals(404, r.statusCode());
        assertEquals("no route matched\n", r.body());
        assertEquals(before + 1, proxy.awaitStat("http.web.no_route", before + 1));
    }

    @Test
    void weightedClustersFollowWeights() throws Exception {
        int toA = 0;
        int n = 400;
        for (int i = 0; i < n; i++) if (proxy.get("/v1/x").body().contains("upstream=a\n")) toA++;
        // 80% expected; binomial sd = 8 -> allow 5 sd.
        assertTrue(toA > 280 && toA < 360, "to a: " + toA);
    }
}
