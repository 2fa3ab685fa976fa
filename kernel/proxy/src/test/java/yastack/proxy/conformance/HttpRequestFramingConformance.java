package yastack.proxy.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import yastack.proxy.fixtures.ListenerFlavor;

/**
 * Request message framing (RFC 9112 6, 7): every way a body length could be read two
 * ways is refused with 400 and a closed connection, and valid bodies arrive upstream
 * re-framed exactly.
 */
abstract class HttpRequestFramingConformance extends ConformanceBase {
    HttpRequestFramingConformance(ListenerFlavor flavor) {
        super(flavor);
    }

    private static final String POST = "POST /up HTTP/1.1\r\nHost: x\r\n";

    @Test
    void contentLengthAndTransferEncodingTogetherAreRejected() throws Exception {
        assertRejected(POST + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400);
        assertRejected(POST + "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n", 400);
        assertRejected(POST + "Transfer-Encoding: chunked\r\nContent-Length: 0\r\n\r\n0\r\n\r\n", 400);
    }

    @Test
    void chunkedMustBeTheFinalCodingOnce() throws Exception {
        assertRejected(POST + "Transfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n", 400);
        assertRejected(POST + "Transfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n", 400);
        assertRejected(POST + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400);
        assertRejected(POST + "Transfer-Encoding: gzip\r\n\r\n0\r\n\r\n", 400);
    }

    @Test
    void unknownCodingBeforeChunkedIsNotImplemented() throws Exception {
        assertRejected(POST + "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", 501);
    }

    @Test
    void lookalikeTransferCodingsAreRejected() throws Exception {
        assertRejected(POST + "Transfer-Encoding: xchunked\r\n\r\n0\r\n\r\n", 400);
        assertRejected(POST + "Transfer-Encoding: chunkedx\r\n\r\n0\r\n\r\n", 400);
        assertRejected(POST + "Transfer-Encoding: \"chunked\"\r\n\r\n0\r\n\r\n", 400);
        assertRejected(POST + "Transfer-Encoding: chunked;q=1\r\n\r\n0\r\n\r\n", 400);
        assertRejected(POST + "Transfer-Encoding: ,chunked\r\n\r\n0\r\n\r\n", 400);
        assertRejected(POST + "Transfer-Encoding: chunked,\r\n\r\n0\r\n\r\n", 400);
        assertRejected(POST + "Transfer-Encoding: \r\n\r\n", 400);
        assertRejected(POST + "Transfer-Encoding: ch\u00fcnked\r\n\r\n0\r\n\r\n", 400);
    }

    @Test
    void whitespaceAroundChunkedIsOptionalWhitespace() throws Exception {
        // OWS around a field value is not part of it (RFC 9110 5.5), so these are plain "chunked".
        for (String te : new String[] {"chunked ", "\tchunked", " \t chunked\t ", "CHUNKED", "Chunked"}) {
            try (RawClient c = client()) {
                c.send(POST + "Transfer-Encoding:" + te + "\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
                RawClient.Response r = c.readFinal();
                assertEquals(200, r.status(), () -> "TE '" + escape(te) + "': " + r);
                RawUpstream.Received up = upstream.next();
                assertEquals("abc", up.body());
                assertEquals("chunked", up.header("transfer-encoding"));
                assertStillServes(c);
            }
        }
    }

    @Test
    void transferEncodingIsFoldedOrSplitWithControlCharactersRejected() throws Exception {
        assertRejected(POST + "Transfer-Encoding:\r\n chunked\r\n\r\n0\r\n\r\n", 400);
        assertRejected(POST + "Transfer-Encoding: identity\r\n chunked\r\n\r\n0\r\n\r\n", 400);
        assertRejected(POST + "Transfer-Encoding: chunked\u000b\r\n\r\n0\r\n\r\n", 400);
        assertRejected(POST + "Transfer-Encoding: chun\rked\r\n\r\n0\r\n\r\n", 400);
        assertRejected(POST + "Transfer-Encoding : chunked\r\n\r\n0\r\n\r\n", 400);
        assertRejected(POST + " Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400);
    }

    @Test
    void underscoreLookalikesOfFramingFieldsAreRejected() throws Exception {
        assertRejected(POST + "Transfer_Encoding: chunked\r\n\r\n0\r\n\r\n", 400);
        assertRejected(POST + "Content_Length: 3\r\n\r\nabc", 400);
        try (RawClient c = client()) {
            c.send(POST + "X_Other: 1\r\nContent-Length: 1\r\n\r\nz");
            assertEquals(200, c.readFinal().status());
            assertEquals("1", upstream.next().header("x_other"));
        }
    }

    @Test
    void transferEncodingInHttp10IsRejected() throws Exception {
        assertRejected("POST /up HTTP/1.0\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", 400);
    }

    @Test
    void duplicateContentLengthsAreRejected() throws Exception {
        assertRejected(POST + "Content-Length: 3\r\nContent-Length: 3\r\n\r\nabc", 400);
        assertRejected(POST + "Content-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", 400);
        assertRejected(POST + "Content-Length: 3, 3\r\n\r\nabc", 400);
        assertRejected(POST + "Content-Length: 3,4\r\n\r\nabcd", 400);
    }

    @Test
    void malformedContentLengthsAreRejected() throws Exception {
        for (String cl : new String[] {"+3", "-3", "-1", "0x3", "3a", "3.0", "3 3", "1e2", "", "\"3\"", "٣",
                "99999999999999999999", "18446744073709551616", "9223372036854775808"}) {
            assertRejected(POST + "Content-Length: " + cl + "\r\n\r\nabc", 400);
        }
    }

    @Test
    void contentLengthWithOptionalWhitespaceIsAccepted() throws Exception {
        try (RawClient c = client()) {
            c.send(POST + "Content-Length: \t3 \r\n\r\nabc");
            assertEquals(200, c.readFinal().status());
            RawUpstream.Received up = upstream.next();
            assertEquals("abc", up.body());
            assertEquals("3", up.header("content-length"));
            assertStillServes(c);
        }
    }

    @Test
    void getWithContentLengthBodyIsForwarded() throws Exception {
        try (RawClient c = client()) {
            c.send("GET /up HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello");
            assertEquals(200, c.readFinal().status());
            RawUpstream.Received up = upstream.next();
            assertEquals("hello", up.body());
            assertEquals("5", up.header("content-length"));
            assertStillServes(c);
        }
    }

    @Test
    void getWithZeroContentLength() throws Exception {
        try (RawClient c = client()) {
            c.send("GET /up HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
            assertEquals(200, c.readFinal().status());
            assertEquals("", upstream.next().body());
            assertStillServes(c);
        }
    }

    @Test
    void bodyWithoutFramingIsNotABody() throws Exception {
        // No CL and no TE: the request has no body, so the bytes after it are the next request.
        try (RawClient c = client()) {
            c.send("GET /up/a HTTP/1.1\r\nHost: x\r\n\r\nGET /up/b HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals(200, c.read().status());
            assertEquals(200, c.read().status());
            assertEquals("/up/a", upstream.next().path());
            assertEquals("/up/b", upstream.next().path());
        }
    }

    @Test
    void chunkedBodyIsDecodedAndReframed() throws Exception {
        try (RawClient c = client()) {
            c.send(POST + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nA;name=value\r\n, world!!!\r\n"
                    + "6;quoted=\"a;b\\\"c\"\r\n and i\r\n0\r\n\r\n");
            assertEquals(200, c.readFinal().status());
            RawUpstream.Received up = upstream.next();
            assertEquals("hello, world!!! and i", up.body());
            assertFalse(up.wireBody().contains("name=value"), "chunk extensions are not forwarded: " + up.wireBody());
            assertStillServes(c);
        }
    }

    @Test
    void chunkSizesWithLeadingZerosAndUppercaseHex() throws Exception {
        try (RawClient c = client()) {
            c.send(POST + "Transfer-Encoding: chunked\r\n\r\n000A\r\n0123456789\r\n00\r\n\r\n");
            assertEquals(200, c.readFinal().status());
            assertEquals("0123456789", upstream.next().body());
            assertStillServes(c);
        }
    }

    @Test
    void invalidChunkSizesAreRejected() throws Exception {
        String te = POST + "Transfer-Encoding: chunked\r\n\r\n";
        for (String size : new String[] {"0x5", "+5", "-5", " 5", "5 ", "5\t", "g", "", "ffffffffffffffffff",
                "10000000000000000", "8000000000000000", "5_0", "٥"}) {
            assertRejected(te + size + "\r\nhello\r\n0\r\n\r\n", 400);
        }
    }

    @Test
    void invalidChunkExtensionsAreRejected() throws Exception {
        String te = POST + "Transfer-Encoding: chunked\r\n\r\n";
        assertRejected(te + "5;\r\nhello\r\n0\r\n\r\n", 400);
        assertRejected(te + "5;a=\"unterminated\r\nhello\r\n0\r\n\r\n", 400);
        assertRejected(te + "5;a\0b\r\nhello\r\n0\r\n\r\n", 400);
        assertRejected(te + "5;a=b\rc\r\nhello\r\n0\r\n\r\n", 400);
        assertRejected(te + "5;a=b\nhello\r\n0\r\n\r\n", 400);
    }

    @Test
    void chunkDataMustEndWithCrlf() throws Exception {
        String te = POST + "Transfer-Encoding: chunked\r\n\r\n";
        assertRejected(te + "5\r\nhelloXX0\r\n\r\n", 400);
        assertRejected(te + "5\r\nhello\n0\r\n\r\n", 400);
        assertRejected(te + "5\r\nhello\r0\r\n\r\n", 400);
        assertRejected(te + "3\r\nhello\r\n0\r\n\r\n", 400);
    }

    @Test
    void bareLfInChunkedFramingIsRejected() throws Exception {
        String te = POST + "Transfer-Encoding: chunked\r\n\r\n";
        assertRejected(te + "5\nhello\r\n0\r\n\r\n", 400);
        assertRejected(te + "5\r\nhello\r\n0\n\r\n", 400);
        assertRejected(te + "5\r\nhello\r\n0\r\n\n", 400);
    }

    @Test
    void trailersAreForwardedButNeverFraming() throws Exception {
        try (RawClient c = client()) {
            c.send(POST + "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nX-Checksum: 42\r\n"
                    + "Content-Length: 100\r\nTransfer-Encoding: gzip\r\n\r\n");
            RawClient.Response r = c.readFinal();
            assertEquals(200, r.status());
            RawUpstream.Received up = upstream.next();
            assertEquals("abc", up.body());
            assertTrue(up.wireBody().contains("X-Checksum: 42\r\n"), "allowed trailers are forwarded: " + up.wireBody());
            assertFalse(up.wireBody().toLowerCase().contains("content-length"), up.wireBody());
            assertFalse(up.wireBody().toLowerCase().contains("gzip"), up.wireBody());
            assertNull(up.header("content-length"));
            assertStillServes(c);
        }
    }

    @Test
    void malformedTrailersAreRejected() throws Exception {
        String te = POST + "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n";
        assertRejected(te + "X-Bad : 1\r\n\r\n", 400);
        assertRejected(te + "X-Bad: 1\r\n folded\r\n\r\n", 400);
        assertRejected(te + "X-Bad: a\0b\r\n\r\n", 400);
        assertRejected(te + "NoColon\r\n\r\n", 400);
    }

    @Test
    void contentLengthBodyIsForwardedExactlyAndTheRestIsTheNextRequest() throws Exception {
        try (RawClient c = client()) {
            c.send(POST + "Content-Length: 5\r\n\r\nhelloGET /up/second HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals(200, c.read().status());
            assertEquals(200, c.read().status());
            RawUpstream.Received first = upstream.next();
            assertEquals("hello", first.body());
            assertEquals("/up/second", upstream.next().path());
        }
    }

    @Test
    void http10ContentLengthBody() throws Exception {
        try (RawClient c = client()) {
            c.send("POST /up HTTP/1.0\r\nContent-Length: 3\r\n\r\nabc");
            RawClient.Response r = c.readFinal();
            assertEquals(200, r.status());
            assertTrue(r.statusLine().startsWith("HTTP/1.1 "), "we answer with our own version (RFC 9110 2.5): " + r.statusLine());
            assertEquals("abc", upstream.next().body());
            assertTrue(c.closedWithin(2000), "HTTP/1.0 without keep-alive closes");
        }
    }
}
