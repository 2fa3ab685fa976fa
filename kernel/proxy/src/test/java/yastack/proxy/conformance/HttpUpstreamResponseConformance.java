package yastack.proxy.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import yastack.config.ConfigException;
import yastack.config.ConfigLoader;
import org.junit.jupiter.api.Test;
import yastack.proxy.fixtures.ListenerFlavor;

/**
 * What the proxy does with the bytes an upstream answers (RFC 9112 6.3, RFC 9110 7.6.1,
 * 15.2): re-framing for the client, 1xx handling, hop-by-hop fields, and responses that
 * are invalid or could split the response stream.
 */
abstract class HttpUpstreamResponseConformance extends ConformanceBase {
    HttpUpstreamResponseConformance(ListenerFlavor flavor) {
        super(flavor);
    }

    @BeforeAll
    void script() {
        upstream.on("/close-delimited", "HTTP/1.1 200 OK\r\nX-Framing: none\r\n\r\nclose-delimited body", false);
        upstream.on("/http10-close", "HTTP/1.0 200 OK\r\n\r\nold style", false);
        upstream.on("/trailers", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Sum\r\n\r\n"
                + "2\r\nok\r\n3\r\n!!!\r\n0\r\nX-Sum: 42\r\n\r\n", true);
        upstream.on("/te-and-cl", "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5\r\nhello\r\n0\r\n\r\n", false);
        upstream.on("/gzip-te", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n2\r\nxx\r\n0\r\n\r\n", false);
        upstream.on("/garbage", "HTTX/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", false);
        upstream.on("/not-http", "hello there\r\n\r\n", false);
        upstream.on("/http2", "HTTP/2.0 200 OK\r\nContent-Length: 2\r\n\r\nok", false);
        // found by UpstreamResponseFuzzTest: a status code is three digits, 100..599 (RFC 9110 15)
        upstream.on("/short-status", "HTTP/1.1 2 OK\r\nContent-Length: 2\r\n\r\nok", false);
        upstream.on("/status-600", "HTTP/1.1 600 Beyond\r\nContent-Length: 2\r\n\r\nok", false);
        upstream.on("/nul-reason", "HTTP/1.1 200 O\0K\r\nContent-Length: 2\r\n\r\nok", false);
        upstream.on("/bad-cl", "HTTP/1.1 200 OK\r\nContent-Length: 2x\r\n\r\nok", false);
        upstream.on("/two-cl", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok!", false);
        upstream.on("/bare-cr", "HTTP/1.1 200 OK\r\nX-Evil: a\rSet-Cookie: pwned=1\r\nContent-Length: 2\r\n\r\nok", false);
        upstream.on("/nul", "HTTP/1.1 200 OK\r\nX-Evil: a\0b\r\nContent-Length: 2\r\n\r\nok", false);
        upstream.on("/fold", "HTTP/1.1 200 OK\r\nX-Folded: a\r\n b\r\nContent-Length: 2\r\n\r\nok", true);
        upstream.on("/early-hints", "HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", true);
        upstream.on("/unasked-continue", "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", true);
        upstream.on("/switch", "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"
                + "GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n", true);
        upstream.on("/hop", "HTTP/1.1 200 OK\r\nConnection: x-bar, close\r\nX-Bar: 1\r\nKeep-Alive: timeout=5\r\n"
                + "Proxy-Connection: keep-alive\r\nUpgrade: h2c\r\nX-Kept: yes\r\nContent-Length: 2\r\n\r\nok", false);
        upstream.on("/head-cl", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", true);
        upstream.on("/no-content", "HTTP/1.1 204 No Content\r\nX-A: 1\r\n\r\n", true);
        upstream.on("/not-modified", "HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\n\r\n", true);
        upstream.on("/truncated", "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this", false);
        upstream.on("/bad-chunk", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nokX0\r\n\r\n", true);
        upstream.on("/reset", "", false);
        // A 204's fields cannot give it a body (RFC 9112 6.3), and a body ends where its length says.
        upstream.on("/no-content-body", "HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\nEVIL!", true);
        upstream.on("/overlong", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEVIL", true);
        upstream.on("/head-body", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nEVIL!", true);
        // RFC 9112 6.1: Transfer-Encoding in an HTTP/1.0 message is faulty framing.
        upstream.on("/http10-te", "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "2\r\nok\r\n0\r\n\r\n", true);
        // Framed both ways, then, once the proxy could have sent the next request on the same
        // connection, an answer nobody asked for: a desynchronised upstream's (or a split) response.
        upstream.on("/te-cl-late", (rq, out) -> {
            out.write(("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            Thread.sleep(500);
            out.write("HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\nINJECTED".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            return true;
        });
    }

    private static RawClient.Response get(RawClient c, String path) throws IOException {
        c.send("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n");
        return c.readFinal();
    }

    @Test
    void closeDelimitedResponseIsChunkedFor11Clients() throws Exception {
        try (RawClient c = client()) {
            RawClient.Response r = get(c, "/close-delimited");
            assertEquals(200, r.status());
            assertTrue(r.chunked(), r.toString());
            assertEquals("close-delimited body", r.body());
            assertStillServes(c);
        }
        try (RawClient c = client()) {
            RawClient.Response r = get(c, "/http10-close");
            assertEquals(200, r.status());
            assertTrue(r.statusLine().startsWith("HTTP/1.1 "), "the proxy speaks its own version: " + r.statusLine());
            assertEquals("old style", r.body());
            assertStillServes(c);
        }
    }

    @Test
    void closeDelimitedResponseStaysCloseDelimitedFor10Clients() throws Exception {
        try (RawClient c = client()) {
            c.send("GET /close-delimited HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
            RawClient.Response r = c.read();
            assertEquals(200, r.status());
            assertNull(r.header("transfer-encoding"));
            assertNull(r.header("content-length"));
            assertEquals("close-delimited body", r.body());
        }
    }

    @Test
    void chunkedTrailersAreForwarded() throws Exception {
        try (RawClient c = client()) {
            c.send("GET /trailers HTTP/1.1\r\nHost: x\r\nTE: trailers\r\n\r\n");
            RawClient.Response r = c.read();
            assertEquals(200, r.status());
            assertTrue(r.chunked());
            assertEquals("ok!!!", r.body());
            assertEquals("X-Sum", r.header("trailer"), "Trailer is end-to-end (RFC 9110 6.6.2)");
            assertEquals(1, r.trailers().size(), r.toString());
            assertEquals("X-Sum", r.trailers().getFirst()[0]);
            assertEquals("42", r.trailers().getFirst()[1]);
            assertNull(upstream.next().header("te"), "TE is hop-by-hop");
            assertStillServes(c);
        }
    }

    @Test
    void transferEncodingWinsOverContentLength() throws Exception {
        try (RawClient c = client()) {
            RawClient.Response r = get(c, "/te-and-cl");
            assertEquals(200, r.status());
            assertNull(r.header("content-length"), "CL must be removed when TE is present");
            assertEquals("hello", r.body());
            assertStillServes(c);
        }
    }

    /**
     * A response framed by Transfer-Encoding and Content-Length both is read as chunked (RFC 9112
     * 6.3), and its connection is not reused: bytes its upstream sends later are not taken for
     * the next request's answer.
     */
    @Test
    void aConnectionThatFramedAResponseBothWaysIsNotReused() throws Exception {
        try (RawClient c = client()) {
            RawClient.Response r = get(c, "/te-cl-late");
            assertEquals(200, r.status());
            assertEquals("hello", r.body());
            RawClient.Response next = get(c, "/after-te-cl");
            assertEquals(200, next.status(), next.toString());
            assertTrue(next.body().startsWith("GET /after-te-cl "), "the next request gets its own answer: " + next.body());
        }
    }

    @Test
    void invalidUpstreamResponsesAre502() throws Exception {
        for (String path : new String[] {"/garbage", "/not-http", "/http2", "/short-status", "/status-600", "/nul-reason", "/bad-cl", "/two-cl", "/gzip-te", "/http10-te"}) {
            try (RawClient c = client()) {
                RawClient.Response r = get(c, path);
                assertEquals(502, r.status(), path + ": " + r);
                assertStillServes(c);
            }
        }
    }

    @Test
    void responseSplittingCharactersAreRefused() throws Exception {
        for (String path : new String[] {"/bare-cr", "/nul"}) {
            try (RawClient c = client()) {
                RawClient.Response r = get(c, path);
                assertEquals(502, r.status(), path + ": " + r);
                assertNull(r.header("set-cookie"));
                assertStillServes(c);
            }
        }
    }

    @Test
    void obsFoldInResponsesIsReplacedWithSpace() throws Exception {
        try (RawClient c = client()) {
            RawClient.Response r = get(c, "/fold");
            assertEquals(200, r.status());
            String v = r.header("x-folded");
            assertTrue(v.matches("a +b"), v);
            assertStillServes(c);
        }
    }

    @Test
    void earlyHintsAreForwardedBeforeTheFinalResponse() throws Exception {
        try (RawClient c = client()) {
            c.send("GET /early-hints HTTP/1.1\r\nHost: x\r\n\r\n");
            RawClient.Response hints = c.read();
            assertEquals(103, hints.status());
            assertEquals("</a.css>; rel=preload", hints.header("link"));
            RawClient.Response r = c.read();
            assertEquals(200, r.status());
            assertEquals("ok", r.body());
            assertStillServes(c);
        }
    }

    @Test
    void http10ClientsNeverSeeInterimResponses() throws Exception {
        try (RawClient c = client()) {
            c.send("GET /early-hints HTTP/1.0\r\n\r\n");
            RawClient.Response r = c.read();
            assertEquals(200, r.status(), "a 1xx must not be sent to an HTTP/1.0 client");
        }
    }

    /**
     * A proxy forwards the 1xx it did not ask for (RFC 9110 15.2), a 100 Continue included; but
     * where the proxy answered the client's expectation itself, the upstream's 100 would be a
     * second one, and is dropped.
     */
    @Test
    void anUnaskedContinueIsForwardedButNeverASecondOne() throws Exception {
        try (RawClient c = client()) {
            c.send("GET /unasked-continue HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals(100, c.read().status(), "the upstream's 100 goes on");
            RawClient.Response r = c.read();
            assertEquals(200, r.status());
            assertEquals("ok", r.body());
            c.send("POST /unasked-continue/upload HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
            assertEquals(100, c.read().status(), "the proxy's own 100");
            c.send("hello");
            RawClient.Response next = c.read();
            assertEquals(200, next.status(), "then the final answer, not the upstream's 100: " + next);
            assertStillServes(c);
        }
    }

    @Test
    void switchingProtocolsWithoutAnUpgradeIsRefused() throws Exception {
        try (RawClient c = client()) {
            c.send("GET /switch HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n");
            RawClient.Response r = c.read();
            assertEquals(502, r.status(), r.toString());
            RawUpstream.Received up = upstream.next();
            assertNull(up.header("upgrade"));
            assertNull(up.header("connection"));
            assertStillServes(c);
        }
    }

    @Test
    void hopByHopResponseFieldsAreRemoved() throws Exception {
        try (RawClient c = client()) {
            RawClient.Response r = get(c, "/hop");
            assertEquals(200, r.status());
            for (String f : new String[] {"x-bar", "keep-alive", "proxy-connection", "upgrade"}) assertNull(r.header(f), f);
            assertEquals("yes", r.header("x-kept"));
            assertFalse(r.connectionClose(), "the upstream closing does not close the client connection");
            assertStillServes(c);
        }
    }

    @Test
    void headResponseHasNoBody() throws Exception {
        try (RawClient c = client()) {
            c.send("HEAD /head-cl HTTP/1.1\r\nHost: x\r\n\r\n");
            RawClient.Response r = c.read(true);
            assertEquals(200, r.status());
            assertEquals("5", r.header("content-length"));
            assertStillServes(c);
        }
    }

    @Test
    void headToALocalReplyHasNoBody() throws Exception {
        try (RawClient c = client()) {
            c.send("HEAD /local HTTP/1.1\r\nHost: x\r\n\r\n");
            RawClient.Response r = c.read(true);
            assertEquals(200, r.status());
            assertEquals("5", r.header("content-length"));
            assertStillServes(c);
        }
    }

    @Test
    void configuredHeaderValuesCannotSplitResponses() {
        String yaml = """
                listeners:
                  - name: l
                    address: 127.0.0.1
                    port: 1
                    http:
                      route_config:
                        virtual_hosts:
                          - name: v
                            domains: ["*"]
                            routes:
                              - match: {prefix: "/"}
                                direct_response: {status: 200}
                                response_headers_to_add: [{name: x-a, value: "ok\\r\\nSet-Cookie: pwned=1"}]
                """;
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(yaml, Path.of(".")));
        assertTrue(e.getMessage().contains("CR, LF or NUL"), e.getMessage());
    }

    @Test
    void noContentAndNotModifiedHaveNoBody() throws Exception {
        try (RawClient c = client()) {
            RawClient.Response r = get(c, "/no-content");
            assertEquals(204, r.status());
            assertNull(r.header("content-length"));
            assertNull(r.header("transfer-encoding"));
            RawClient.Response nm = get(c, "/not-modified");
            assertEquals(304, nm.status());
            assertNull(nm.header("transfer-encoding"));
            assertEquals("\"x\"", nm.header("etag"));
            assertStillServes(c);
        }
    }

    @Test
    void truncatedUpstreamBodyClosesTheClientConnection() throws Exception {
        try (RawClient c = client()) {
            c.send("GET /truncated HTTP/1.1\r\nHost: x\r\n\r\n");
            String all = c.drain(3000);
            assertTrue(all.startsWith("HTTP/1.1 200 "), all);
            assertTrue(all.endsWith("only this"), "no more bytes than the upstream sent: " + all);
        }
    }

    @Test
    void aChunkedBodyThatBreaksItsFramingIsCutNotEnded() throws Exception {
        try (RawClient c = client()) {
            c.send("GET /bad-chunk HTTP/1.1\r\nHost: x\r\n\r\n");
            String all = c.drain(3000);
            assertTrue(all.startsWith("HTTP/1.1 200 "), all);
            assertTrue(all.endsWith("\r\n2\r\nok\r\n"), "the good chunk, then the close, no last chunk: " + all);
        }
    }

    /**
     * Bytes after a complete response (a body after a 204 or an answer to HEAD, more body than
     * its length said) answer no request: were the connection pooled, they
     * would be read as the start of the next request's answer, and that request would get a 502
     * (or worse, an answer that is not its own). The connection is closed and counted instead.
     */
    @Test
    void bytesAfterACompleteResponseEndTheUpstreamConnection() throws Exception {
        for (String path : new String[] {"/no-content-body", "/overlong", "/head-body"}) {
            long before = stat("cluster.up.upstream_cx_protocol_error");
            try (RawClient c = client()) {
                String method = path.equals("/head-body") ? "HEAD" : "GET";
                c.send(method + " " + path + " HTTP/1.1\r\nHost: x\r\n\r\n");
                RawClient.Response r = method.equals("HEAD") ? c.read(true) : c.readFinal();
                assertEquals(path.equals("/no-content-body") ? 204 : 200, r.status(), r.toString());
                RawClient.Response next = get(c, "/after" + path);
                assertEquals(200, next.status(), "the next request gets its own answer: " + next);
                assertTrue(next.body().startsWith("GET /after" + path + " "), next.body());
            }
            assertEquals(before + 1, stat("cluster.up.upstream_cx_protocol_error"), path);
        }
    }

    @Test
    void upstreamClosingWithoutResponseIs502() throws Exception {
        try (RawClient c = client()) {
            RawClient.Response r = get(c, "/reset");
            assertEquals(502, r.status());
            assertStillServes(c);
        }
    }
}
