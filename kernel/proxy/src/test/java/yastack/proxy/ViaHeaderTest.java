package yastack.proxy;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import yastack.proxy.fixtures.ProxyHarness;
import yastack.proxy.fixtures.TestPki;
import yastack.proxy.fixtures.TestUpstream;

/** RFC 9110 7.6.3: the proxy appends Via to what it forwards, both ways; configurable, and off with via: "". */
class ViaHeaderTest {
    private static String config(String via, int upstream) {
        return ProxyHarness.singleRoute(via, upstream);
    }

    @Test
    void appendsViaToRequestAndResponseByDefault() throws Exception {
        try (TestUpstream up = new TestUpstream("up"); ProxyHarness p = new ProxyHarness(config("", up.port()), 1)) {
            HttpResponse<String> r = p.get("/v", "Via", "1.1 client-side");
            assertEquals(200, r.statusCode());
            // The upstream sees the client's Via and ours after it, in that order.
            int theirs = r.body().indexOf("h:via=1.1 client-side"), ours = r.body().indexOf("h:via=1.1 yastack");
            assertTrue(theirs >= 0 && ours > theirs, r.body());
            assertEquals("1.1 yastack", r.headers().firstValue("via").orElse(""), r.headers().map().toString());
            // The received protocol is what the client spoke.
            String answer = p.raw("GET /old HTTP/1.0\r\nHost: x\r\n\r\n", 5000);
            assertTrue(answer.contains("h:via=1.0 yastack"), answer);
        }
    }

    @Test
    void configuredPseudonymAndOff() throws Exception {
        try (TestUpstream up = new TestUpstream("up"); ProxyHarness p = new ProxyHarness(config("via: edge-7", up.port()), 1)) {
            HttpResponse<String> r = p.get("/v");
            assertTrue(r.body().contains("h:via=1.1 edge-7"), r.body());
            assertEquals("1.1 edge-7", r.headers().firstValue("via").orElse(""));
        }
        try (TestUpstream up = new TestUpstream("up"); ProxyHarness p = new ProxyHarness(config("via: \"\"", up.port()), 1)) {
            HttpResponse<String> r = p.get("/v");
            assertFalse(r.body().contains("h:via="), r.body());
            assertTrue(r.headers().firstValue("via").isEmpty());
        }
    }

    @Test
    void anHttp2StreamIsReceivedAsProtocol2() throws Exception {
        Path dir = Files.createTempDirectory("yastack-via-h2");
        TestPki pki = new TestPki(dir);
        pki.issue("a", "a.test");
        try (TestUpstream up = new TestUpstream("up"); ProxyHarness p = new ProxyHarness(ProxyHarness.tlsSingleRoute(
                pki.path("a.pem"), pki.path("a.key"), "endpoints: [{address: 127.0.0.1, port: " + up.port() + "}]"), 1)) {
            String out = pki.run("curl", "-sS", "-i", "--http2", "--max-time", "10", "--cacert", pki.path("ca.pem").toString(),
                    "--resolve", "a.test:" + p.port + ":127.0.0.1", "https://a.test:" + p.port + "/h2");
            assertTrue(out.startsWith("HTTP/2 200"), out);
            assertTrue(out.contains("h:via=2 yastack"), "the upstream sees the h2 stream as received over protocol 2: " + out);
            // The response came from the upstream over HTTP/1.1, and says so on its way down.
            assertTrue(out.contains("via: 1.1 yastack"), out);
        }
    }
}
