package yastack.proxy.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import yastack.proxy.fixtures.ProxyHarness;

/** max_headers_count (431 above it) and headers_with_underscores_action, through the proxy. */
class RequestHeaderLimitsTest extends OneUpstream {
    static String request(int extraHeaders, String more) {
        StringBuilder sb = new StringBuilder("GET /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\n");
        for (int i = 0; i < extraHeaders; i++) sb.append("x-h").append(i).append(": v\r\n");
        return sb.append(more).append("\r\n").toString();
    }

    @Test
    void aHundredFieldsPassTheHundredAndFirstIs431() throws Exception {
        try (ProxyHarness p = new ProxyHarness(ProxyHarness.singleRoute("", up.port()), 1)) {
            // Host and Connection count: 98 more make 100.
            assertTrue(p.raw(request(98, ""), 3000).startsWith("HTTP/1.1 200 "));
            String r = p.raw(request(99, ""), 3000);
            assertTrue(r.startsWith("HTTP/1.1 431 ") && r.contains("too many header fields"), r);
            assertEquals(1, p.awaitStat("http.web.downstream_rq_too_many_headers", 1));
        }
        try (ProxyHarness p = new ProxyHarness(ProxyHarness.singleRoute("max_headers_count: 5", up.port()), 1)) {
            assertTrue(p.raw(request(3, ""), 3000).startsWith("HTTP/1.1 200 "));
            assertTrue(p.raw(request(4, ""), 3000).startsWith("HTTP/1.1 431 "));
        }
    }

    @Test
    void underscoresAreRejectedByDefault() throws Exception {
        try (ProxyHarness p = new ProxyHarness(ProxyHarness.singleRoute("", up.port()), 1)) {
            int before = up.requests.get();
            String r = p.raw(request(0, "x_user: admin\r\n"), 3000);
            assertTrue(r.startsWith("HTTP/1.1 400 ") && r.contains("underscore"), r);
            assertEquals(1, p.awaitStat("http.web.requests_rejected_with_underscores_in_headers", 1));
            assertEquals(before, up.requests.get());
        }
    }

    @Test
    void dropHeaderRemovesThemAndAllowPassesThem() throws Exception {
        try (ProxyHarness p = new ProxyHarness(ProxyHarness.singleRoute("headers_with_underscores_action: drop_header", up.port()), 1)) {
            String r = p.raw(request(0, "x_user: admin\r\nx-user: alice\r\nX_Other: 1\r\n"), 3000);
            assertTrue(r.startsWith("HTTP/1.1 200 "), r);
            assertTrue(r.contains("h:x-user=alice\n"), r);
            assertFalse(r.contains("admin") || r.contains("x_other"), r);
            assertEquals(2, p.awaitStat("http.web.dropped_headers_with_underscores", 2));
        }
        try (ProxyHarness p = new ProxyHarness(ProxyHarness.singleRoute("headers_with_underscores_action: allow", up.port()), 1)) {
            String r = p.raw(request(0, "x_user: admin\r\n"), 3000);
            assertTrue(r.startsWith("HTTP/1.1 200 ") && r.contains("h:x_user=admin\n"), r);
        }
    }
}
