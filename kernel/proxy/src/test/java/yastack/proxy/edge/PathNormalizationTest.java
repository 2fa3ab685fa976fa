package yastack.proxy.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import yastack.proxy.fixtures.ProxyHarness;

/**
 * The classic path tricks against a route that denies {@code /admin}: with the edge defaults
 * (normalize_path, merge_slashes, path_with_escaped_slashes_action: unescape_and_redirect)
 * every spelling of /admin meets the deny route, and what goes upstream is the normalized
 * path; the other actions and switching it all off behave as documented.
 */
class PathNormalizationTest extends OneUpstream {
    static ProxyHarness proxy(String httpExtra) throws Exception {
        return new ProxyHarness(ProxyHarness.listenerWithRoutes(httpExtra, """
                - match: {prefix: "/admin"}
                  direct_response: {status: 403, body: "denied"}
                - match: {prefix: "/"}
                  route: {cluster: up}
                """) + "clusters:\n  - {name: up, endpoints: [{address: 127.0.0.1, port: " + up.port() + "}]}\n", 1);
    }

    static String get(ProxyHarness p, String target) throws Exception {
        return p.raw("GET " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 3000);
    }

    @Test
    void everySpellingOfAdminIsDeniedWithTheDefaults() throws Exception {
        try (ProxyHarness p = proxy("")) {
            for (String t : new String[] {"/admin", "/x/../admin", "/public/../admin/users", "//admin", "/./admin", "/%61dmin",
                    "/x/%2e%2e/admin", "/x/%2E%2E/%61dmin/", "/../../admin", "http://x/public/../admin"}) {
                String r = get(p, t);
                assertTrue(r.startsWith("HTTP/1.1 403 "), t + " -> " + r);
            }
            assertEquals(0, up.requests.get(), "none of them reached the upstream");
        }
    }

    @Test
    void escapedSlashesAreRedirectedToThePlainPath() throws Exception {
        try (ProxyHarness p = proxy("")) {
            String r = get(p, "/public%2F..%2Fadmin?q=1");
            assertTrue(r.startsWith("HTTP/1.1 307 "), r);
            assertTrue(r.contains("\r\nlocation: /admin?q=1\r\n"), r);
            assertTrue(get(p, "/admin?q=1").startsWith("HTTP/1.1 403 "), "where the redirect leads");
            assertEquals(1, p.awaitStat("http.web.downstream_rq_path_redirected", 1));
        }
    }

    @Test
    void theUpstreamGetsTheNormalizedPathAndQuery() throws Exception {
        try (ProxyHarness p = proxy("")) {
            String r = get(p, "/admin/../a//b/./%7Euser?x=%2e%2e");
            assertTrue(r.startsWith("HTTP/1.1 200 "), r);
            assertTrue(r.contains("uri=/a/b/~user?x=%2e%2e\n"), "the query is not touched: " + r);
        }
    }

    @Test
    void malformedPercentEncodingIsRejected() throws Exception {
        try (ProxyHarness p = proxy("")) {
            assertTrue(get(p, "/a%zz").startsWith("HTTP/1.1 400 "));
            assertEquals(1, p.awaitStat("http.web.downstream_rq_path_rejected", 1));
        }
    }

    @Test
    void escapedSlashActions() throws Exception {
        try (ProxyHarness p = proxy("path_with_escaped_slashes_action: reject_request")) {
            assertTrue(get(p, "/public%2F..%2Fadmin").startsWith("HTTP/1.1 400 "));
            assertTrue(get(p, "/x%5Cy").startsWith("HTTP/1.1 400 "), "an escaped backslash too");
        }
        try (ProxyHarness p = proxy("path_with_escaped_slashes_action: unescape_and_forward")) {
            assertTrue(get(p, "/public%2F..%2Fadmin").startsWith("HTTP/1.1 403 "));
            String r = get(p, "/a%2Fb");
            assertTrue(r.startsWith("HTTP/1.1 200 ") && r.contains("uri=/a/b\n"), r);
        }
        try (ProxyHarness p = proxy("path_with_escaped_slashes_action: keep_unchanged")) {
            String r = get(p, "/public%2F..%2Fadmin");
            assertTrue(r.startsWith("HTTP/1.1 200 ") && r.contains("uri=/public%2F..%2Fadmin\n"), r);
        }
    }

    @Test
    void switchedOffThePathGoesAsItCame() throws Exception {
        try (ProxyHarness p = proxy("normalize_path: false\n      merge_slashes: false\n      path_with_escaped_slashes_action: keep_unchanged")) {
            String r = get(p, "/x/../admin");
            assertTrue(r.startsWith("HTTP/1.1 200 ") && r.contains("uri=/x/../admin\n"), "not matched by prefix /admin: " + r);
        }
    }
}
