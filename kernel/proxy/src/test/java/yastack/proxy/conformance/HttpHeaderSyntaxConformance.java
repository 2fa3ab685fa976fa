package yastack.proxy.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import yastack.proxy.fixtures.ListenerFlavor;

/** Request-line and field syntax (RFC 9112 2-5, RFC 9110 5, 7.2). */
abstract class HttpHeaderSyntaxConformance extends ConformanceBase {
    HttpHeaderSyntaxConformance(ListenerFlavor flavor) {
        super(flavor);
    }

    private static final String GET = "GET /up HTTP/1.1\r\nHost: x\r\n";
    /** The default max_request_headers_kb: field lines with their CRLFs, request line excluded. */
    private static final int HEADER_LIMIT = 60 * 1024;

    @Test
    void whitespaceBeforeColonIsRejected() throws Exception {
        assertRejected(GET + "X-Test : 1\r\n\r\n", 400);
        assertRejected(GET + "X-Test\t: 1\r\n\r\n", 400);
        assertRejected("GET /up HTTP/1.1\r\nHost : x\r\n\r\n", 400);
    }

    @Test
    void whitespaceBeforeTheFirstFieldIsRejected() throws Exception {
        assertRejected("GET /up HTTP/1.1\r\n Host: x\r\n\r\n", 400);
        assertRejected("GET /up HTTP/1.1\r\n\tX: y\r\nHost: x\r\n\r\n", 400);
    }

    @Test
    void obsFoldIsRejected() throws Exception {
        assertRejected(GET + "X-Test: a\r\n b\r\n\r\n", 400);
        assertRejected(GET + "X-Test: a\r\n\tb\r\n\r\n", 400);
        assertRejected("GET /up HTTP/1.1\r\nHost: x\r\n \r\n\r\n", 400);
    }

    @Test
    void controlCharactersInValuesAreRejected() throws Exception {
        for (String bad : new String[] {"a\0b", "a\rb", "a\u007fb", "a\u0001b", "a\u000bb", "a\u001bb"}) {
            assertRejected(GET + "X-Test: " + bad + "\r\n\r\n", 400);
        }
    }

    @Test
    void invalidFieldNamesAreRejected() throws Exception {
        for (String bad : new String[] {"X\0T", "X\u007fT", "X(T)", "X\"T", "X/T", "X@T", "X[T]", "X{T}", "X\u00e9T", "X=T"}) {
            assertRejected(GET + bad + ": 1\r\n\r\n", 400);
        }
    }

    @Test
    void emptyFieldNameAndLinesWithoutColonAreRejected() throws Exception {
        assertRejected(GET + ": value\r\n\r\n", 400);
        assertRejected(GET + "NoColonHere\r\n\r\n", 400);
    }

    @Test
    void bareLineEndingsInTheHeadAreRejected() throws Exception {
        assertRejected("GET /up HTTP/1.1\nHost: x\r\n\r\n", 400);
        assertRejected("GET /up HTTP/1.1\r\nHost: x\nX: y\r\n\r\n", 400);
        assertRejected("GET /up HTTP/1.1\r\nHost: x\r\n\n", 400);
        assertRejected("GET /up HTTP/1.1\rHost: x\r\n\r\n", 400);
    }

    @Test
    void tokenCharactersAndObsTextAreAccepted() throws Exception {
        try (RawClient c = client()) {
            c.send(GET + "X-!#$%&'*+.^_`|~: ok\r\nX-Latin: caf\u00e9\r\nX-Empty:\r\nX-Tab:\tv\t\r\n\r\n");
            assertEquals(200, c.read().status());
            RawUpstream.Received up = upstream.next();
            assertEquals("ok", up.header("x-!#$%&'*+.^_`|~"));
            assertEquals("caf\u00e9", up.header("x-latin"));
            assertEquals("", up.header("x-empty"));
            assertEquals("v", up.header("x-tab"));
            assertStillServes(c);
        }
    }

    @Test
    void headerBlockExactlyAtTheLimitIsAccepted() throws Exception {
        try (RawClient c = client()) {
            c.send("GET /local HTTP/1.1\r\n" + fields(HEADER_LIMIT) + "\r\n");
            assertEquals(200, c.read().status());
            assertStillServes(c);
        }
    }

    @Test
    void headerBlockOverTheLimitIs431() throws Exception {
        long before = stat("http.conf.downstream_rq_headers_too_large");
        assertRejected("GET /local HTTP/1.1\r\n" + fields(HEADER_LIMIT + 1) + "\r\n", 431);
        assertEquals(before + 1, stat("http.conf.downstream_rq_headers_too_large"));
        // Without ever finishing the head, too.
        try (RawClient c = client()) {
            c.send("GET /local HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(HEADER_LIMIT + 100));
            RawClient.Response r = c.read();
            assertEquals(431, r.status());
            assertTrue(c.closedWithin(2000));
        }
    }

    /** A Host line plus one filler field, {@code total} bytes of field lines including CRLFs. */
    private static String fields(int total) {
        String host = "Host: x\r\n";
        String prefix = "X-Fill: ";
        int fill = total - host.length() - prefix.length() - 2;
        return host + prefix + "f".repeat(fill) + "\r\n";
    }

    @Test
    void requestLineTooLongIs414() throws Exception {
        long before = stat("http.conf.downstream_rq_uri_too_long");
        assertRejected("GET /" + "a".repeat(17 * 1024) + " HTTP/1.1\r\nHost: x\r\n\r\n", 414);
        assertEquals(before + 1, stat("http.conf.downstream_rq_uri_too_long"));
        try (RawClient c = client()) {
            c.send("GET /local/" + "a".repeat(15 * 1024) + " HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals(200, c.read().status());
        }
    }

    @Test
    void invalidMethodsAreRejected() throws Exception {
        assertRejected("G@T /up HTTP/1.1\r\nHost: x\r\n\r\n", 400);
        assertRejected("GE(T /up HTTP/1.1\r\nHost: x\r\n\r\n", 400);
        assertRejected(" GET /up HTTP/1.1\r\nHost: x\r\n\r\n", 400);
        assertRejected("GET\t/up HTTP/1.1\r\nHost: x\r\n\r\n", 400);
        assertRejected("G\u00c9T /up HTTP/1.1\r\nHost: x\r\n\r\n", 400);
    }

    @Test
    void extensionMethodsAreForwardedCaseSensitively() throws Exception {
        try (RawClient c = client()) {
            c.send("PURGE /up HTTP/1.1\r\nHost: x\r\n\r\nget /up HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals(200, c.read().status());
            assertEquals(200, c.read().status());
            assertTrue(upstream.next().head().startsWith("PURGE /up HTTP/1.1\r\n"));
            assertTrue(upstream.next().head().startsWith("get /up HTTP/1.1\r\n"));
        }
    }

    @Test
    void requestLineSeparatorsAreSingleSpaces() throws Exception {
        assertRejected("GET  /up HTTP/1.1\r\nHost: x\r\n\r\n", 400);
        assertRejected("GET /up  HTTP/1.1\r\nHost: x\r\n\r\n", 400);
        assertRejected("GET /up HTTP/1.1 \r\nHost: x\r\n\r\n", 400);
        assertRejected("GET /up\r\nHost: x\r\n\r\n", 400);
        assertRejected("GET\r\n\r\n", 400);
        assertRejected("GET /a b HTTP/1.1\r\nHost: x\r\n\r\n", 400);
    }

    @Test
    void malformedVersionsAre400() throws Exception {
        for (String v : new String[] {"HTTP/1.1x", "http/1.1", "Http/1.1", "HTTP/1", "HTTP/1.", "HTTP/1.10", "HTTP/01.1",
                "HTTP/1,1", "HTTP /1.1", "HTTPS/1.1", "HTTP/a.b"}) {
            assertRejected("GET /up " + v + "\r\nHost: x\r\n\r\n", 400);
        }
    }

    @Test
    void otherMajorVersionsAre505() throws Exception {
        assertRejected("GET /up HTTP/2.0\r\nHost: x\r\n\r\n", 505);
        assertRejected("GET /up HTTP/3.0\r\nHost: x\r\n\r\n", 505);
        assertRejected("GET /up HTTP/0.9\r\nHost: x\r\n\r\n", 505);
    }

    @Test
    void higherMinorVersionIsServedAsHttp11() throws Exception {
        // RFC 9110 2.5: process as the highest minor version of the major version we implement (nginx, HAProxy do).
        RawClient.Response r = assertServedKeepAlive("GET /up HTTP/1.2\r\nHost: x\r\n\r\n", 200);
        assertTrue(r.statusLine().startsWith("HTTP/1.1 200"), r.statusLine());
        assertTrue(upstream.next().head().startsWith("GET /up HTTP/1.1\r\n"));
    }

    @Test
    void leadingEmptyLinesAreIgnored() throws Exception {
        assertServedKeepAlive("\r\n\r\nGET /up HTTP/1.1\r\nHost: x\r\n\r\n", 200);
    }

    @Test
    void absoluteFormAuthorityWinsOverHost() throws Exception {
        try (RawClient c = client()) {
            c.send("GET http://A.example:8080/up/p?q=1 HTTP/1.1\r\nHost: other.example\r\n\r\n");
            assertEquals(200, c.read().status());
            RawUpstream.Received up = upstream.next();
            assertTrue(up.head().startsWith("GET /up/p?q=1 HTTP/1.1\r\n"), up.head());
            assertEquals("A.example:8080", up.header("host"));
            c.send("GET http://a.example?x=1 HTTP/1.1\r\nHost: a.example\r\n\r\n");
            assertEquals(200, c.read().status());
            assertTrue(upstream.next().head().startsWith("GET /?x=1 HTTP/1.1\r\n"));
        }
    }

    @Test
    void invalidTargetsAreRejected() throws Exception {
        assertRejected("GET /up#frag HTTP/1.1\r\nHost: x\r\n\r\n", 400);
        assertRejected("GET * HTTP/1.1\r\nHost: x\r\n\r\n", 400);
        assertRejected("GET up HTTP/1.1\r\nHost: x\r\n\r\n", 400);
        assertRejected("GET ftp://x/up HTTP/1.1\r\nHost: x\r\n\r\n", 400);
        assertRejected("GET http:///up HTTP/1.1\r\nHost: x\r\n\r\n", 400);
        assertRejected("GET http://user@x/up HTTP/1.1\r\nHost: x\r\n\r\n", 400);
        assertRejected("GET /caf\u00e9 HTTP/1.1\r\nHost: x\r\n\r\n", 400);
        assertRejected("GET /a\u007fb HTTP/1.1\r\nHost: x\r\n\r\n", 400);
        // No URI character, and a separator to some upstreams: /x/..\admin must not reach one.
        assertRejected("GET /x/..\\admin HTTP/1.1\r\nHost: x\r\n\r\n", 400);
        assertRejected("GET http://x/up\\ HTTP/1.1\r\nHost: x\r\n\r\n", 400);
        assertServedKeepAlive("GET /local?q=a\\b HTTP/1.1\r\nHost: x\r\n\r\n", 200); // the query is not a path
    }

    @Test
    void asteriskFormIsOnlyForOptions() throws Exception {
        try (RawClient c = client()) {
            c.send("OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n");
            RawClient.Response r = c.read();
            // accepted, then routed like any request: no route here matches "*", so no route (404)
            assertEquals(404, r.status(), r.toString());
            assertFalse(r.connectionClose(), r.toString());
            assertStillServes(c);
        }
    }

    @Test
    void hostIsRequiredOnceAndValidIn11() throws Exception {
        assertRejected("GET /up HTTP/1.1\r\n\r\n", 400);
        assertRejected("GET /up HTTP/1.1\r\nHost: x\r\nHost: x\r\n\r\n", 400);
        assertRejected("GET /up HTTP/1.1\r\nHost: x\r\nhost: y\r\n\r\n", 400);
        assertRejected("GET /up HTTP/1.1\r\nHost: user@x\r\n\r\n", 400);
        assertRejected("GET /up HTTP/1.1\r\nHost: x y\r\n\r\n", 400);
        assertRejected("GET /up HTTP/1.1\r\nHost: x:80a\r\n\r\n", 400);
        assertRejected("GET /up HTTP/1.1\r\nHost: x/y\r\n\r\n", 400);
        assertRejected("GET /up HTTP/1.1\r\nHost: [::1\r\n\r\n", 400);
    }

    @Test
    void validHostForms() throws Exception {
        for (String host : new String[] {"x", "x:8080", "[::1]:8080", "127.0.0.1", "", "a-b.c_d~e"}) {
            assertServedKeepAlive("GET /local HTTP/1.1\r\nHost: " + host + "\r\n\r\n", 200);
        }
    }

    @Test
    void http10MayOmitHost() throws Exception {
        try (RawClient c = client()) {
            c.send("GET /up HTTP/1.0\r\n\r\n");
            RawClient.Response r = c.read();
            assertEquals(200, r.status());
            assertTrue(r.statusLine().startsWith("HTTP/1.1 "), "we answer with our own version (RFC 9110 2.5): " + r.statusLine());
            assertTrue(c.closedWithin(2000));
        }
        // The HTTP/1.1 request sent on must name a host (RFC 9112 3.2): the endpoint's.
        assertEquals("127.0.0.1:" + upstream.port(), upstream.next().header("host"));
    }

    @Test
    void anEmptyHostGoesUpstreamAsTheEndpoints() throws Exception {
        try (RawClient c = client()) {
            c.send("GET /up HTTP/1.1\r\nHost: \r\n\r\n");
            assertEquals(200, c.read().status());
        }
        assertEquals("127.0.0.1:" + upstream.port(), upstream.next().header("host"));
    }

    @Test
    void rejectionsAreCountedOncePerConnection() throws Exception {
        long before = stat(REJECTED);
        for (int i = 0; i < 3; i++) {
            try (RawClient c = client()) {
                c.send("GET /up HTTP/1.1\r\nHost: x\r\nBad Name: 1\r\n\r\n" + SMUGGLED + SMUGGLED);
                assertEquals(400, c.read().status());
                assertTrue(c.closedWithin(2000));
            }
        }
        assertEquals(before + 3, stat(REJECTED));
    }
}
