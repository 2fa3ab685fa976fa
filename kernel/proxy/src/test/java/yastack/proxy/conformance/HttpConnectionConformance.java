package yastack.proxy.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import yastack.proxy.fixtures.ListenerFlavor;

/** Persistence, pipelining, Expect, hop-by-hop fields and Upgrade (RFC 9112 9, RFC 9110 7.6.1, 10.1.1). */
abstract class HttpConnectionConformance extends ConformanceBase {
    HttpConnectionConformance(ListenerFlavor flavor) {
        super(flavor);
    }

    @BeforeAll
    void script() {
        upstream.on("/slow", (rq, out) -> {
            Thread.sleep(300);
            return RawUpstream.echo(rq, out);
        });
    }

    @Test
    void http11IsPersistentByDefault() throws Exception {
        assertServedKeepAlive("GET /up HTTP/1.1\r\nHost: x\r\n\r\n", 200);
        assertServedKeepAlive("GET /local HTTP/1.1\r\nHost: x\r\n\r\n", 200);
    }

    @Test
    void http10ClosesByDefault() throws Exception {
        for (String path : new String[] {"/up", "/local"}) {
            try (RawClient c = client()) {
                c.send("GET " + path + " HTTP/1.0\r\n\r\n");
                RawClient.Response r = c.read();
                assertEquals(200, r.status());
                assertTrue(c.closedWithin(2000), path);
            }
        }
    }

    @Test
    void everyResponseCarriesADate() throws Exception {
        try (RawClient c = client()) {
            c.send("GET /up HTTP/1.1\r\nHost: x\r\n\r\nGET /local HTTP/1.1\r\nHost: x\r\n\r\nGET /up HTTP/1.1\r\nBad Header: x\r\n\r\n");
            for (int i = 0; i < 3; i++) {
                RawClient.Response r = c.read();
                String date = r.header("date");
                assertTrue(date != null && date.matches("[A-Z][a-z]{2}, \\d{2} [A-Z][a-z]{2} \\d{4} \\d{2}:\\d{2}:\\d{2} GMT"),
                        "IMF-fixdate expected: " + r);
            }
        }
    }

    @Test
    void http10KeepAliveIsHonoured() throws Exception {
        for (String path : new String[] {"/up", "/local"}) {
            try (RawClient c = client()) {
                c.send("GET " + path + " HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
                RawClient.Response r = c.read();
                assertEquals(200, r.status());
                assertEquals("keep-alive", r.header("connection").toLowerCase(), path);
                assertStillServes(c);
            }
        }
    }

    @Test
    void connectionCloseFromTheClientIsHonoured() throws Exception {
        for (String value : new String[] {"close", "Close", "keep-alive, close", "x-foo,close"}) {
            for (String path : new String[] {"/up", "/local"}) {
                try (RawClient c = client()) {
                    c.send("GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: " + value + "\r\n\r\n" + SMUGGLED);
                    RawClient.Response r = c.read();
                    assertEquals(200, r.status());
                    assertTrue(r.connectionClose(), value + " " + path);
                    assertTrue(c.closedWithin(2000), value + " " + path);
                }
            }
        }
        // the four /up requests reached the upstream, and nothing sent after Connection: close did
        for (int i = 0; i < 4; i++) assertEquals("/up", upstream.next().path());
        assertNull(upstream.poll(100), "nothing after Connection: close is processed");
    }

    @Test
    void hopByHopRequestFieldsAreNotForwarded() throws Exception {
        try (RawClient c = client()) {
            c.send("GET /up HTTP/1.1\r\nHost: x\r\nConnection: close, X-Foo\r\nX-Foo: secret\r\nX-Keep: 1\r\n"
                    + "Keep-Alive: timeout=5\r\nProxy-Connection: keep-alive\r\nTE: trailers\r\nTrailer: X-T\r\n\r\n");
            RawClient.Response r = c.read();
            assertEquals(200, r.status());
            assertTrue(r.connectionClose());
            RawUpstream.Received up = upstream.next();
            for (String f : new String[] {"x-foo", "keep-alive", "proxy-connection", "te"}) {
                assertNull(up.header(f), f + " reached the upstream");
            }
            assertEquals("1", up.header("x-keep"));
            assertEquals("X-T", up.header("trailer"), "Trailer is end-to-end (RFC 9110 6.6.2)");
            assertTrue(c.closedWithin(2000));
        }
    }

    @Test
    void connectionCannotStripFramingFields() throws Exception {
        try (RawClient c = client()) {
            c.send("POST /up HTTP/1.1\r\nHost: x\r\nConnection: Content-Length, Transfer-Encoding, Host\r\n"
                    + "Content-Length: 5\r\n\r\nhello");
            assertEquals(200, c.read().status());
            RawUpstream.Received up = upstream.next();
            assertEquals("hello", up.body());
            assertEquals("5", up.header("content-length"));
            assertEquals("x", up.header("host"));
            assertStillServes(c);
        }
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws Exception {
        try (RawClient c = client()) {
            c.send("GET /slow/1 HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "POST /up/2 HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
                    + "GET /local/3 HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "POST /up/4 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nz\r\n0\r\n\r\n"
                    + "GET /up/5 HTTP/1.1\r\nHost: x\r\n\r\n");
            assertTrue(c.read().body().startsWith("GET /slow/1 "));
            assertTrue(c.read().body().startsWith("POST /up/2 "));
            assertEquals("local", c.read().body());
            RawClient.Response fourth = c.read();
            assertTrue(fourth.body().startsWith("POST /up/4 ") && fourth.body().endsWith("--body--\r\nz"), fourth.body());
            assertTrue(c.read().body().startsWith("GET /up/5 "));
            assertStillServes(c);
        }
    }

    @Test
    void pipelinedRequestAfterARejectedOneIsNeverProcessed() throws Exception {
        long before = stat(REJECTED);
        try (RawClient c = client()) {
            c.send("GET /up/1 HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "POST /up/2 HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
                    + SMUGGLED);
            assertEquals(200, c.read().status());
            RawClient.Response r = c.read();
            assertEquals(400, r.status());
            assertTrue(r.connectionClose());
            assertTrue(c.closedWithin(2000));
        }
        assertEquals("/up/1", upstream.next().path());
        assertNull(upstream.poll(100));
        assertEquals(before + 1, stat(REJECTED));
    }

    @Test
    void expectContinueIsAnsweredBeforeTheBody() throws Exception {
        try (RawClient c = client()) {
            c.send("POST /up HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
            RawClient.Response interim = c.read();
            assertEquals(100, interim.status());
            c.send("hello");
            RawClient.Response r = c.read();
            assertEquals(200, r.status());
            RawUpstream.Received up = upstream.next();
            assertEquals("hello", up.body());
            assertNull(up.header("expect"), "the proxy answered the expectation itself");
            assertStillServes(c);
        }
    }

    @Test
    void expectContinueOnALocalReplyGetsTheFinalAnswerAndClose() throws Exception {
        try (RawClient c = client()) {
            c.send("POST /local HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
            RawClient.Response r = c.read();
            assertEquals(200, r.status(), "no 100 when the body will not be read");
            assertTrue(r.connectionClose());
            assertTrue(c.closedWithin(2000));
        }
    }

    @Test
    void expectContinueWithoutBodyOrIn10GetsNoInterim() throws Exception {
        assertServedKeepAlive("GET /up HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n\r\n", 200);
        assertEquals("/up", upstream.next().path());
        try (RawClient c = client()) {
            c.send("POST /up HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nhi");
            RawClient.Response r = c.read();
            assertEquals(200, r.status(), "an HTTP/1.0 client gets no 100");
            assertEquals("hi", upstream.next().body());
        }
    }

    @Test
    void unknownExpectationIs417() throws Exception {
        assertRejected("GET /up HTTP/1.1\r\nHost: x\r\nExpect: teapot\r\n\r\n", 417);
    }

    @Test
    void localReplyDrainsAnUnreadBody() throws Exception {
        try (RawClient c = client()) {
            c.send("POST /local HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhelloGET /up/after HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals("local", c.read().body());
            assertTrue(c.read().body().startsWith("GET /up/after "));
            c.send("POST /local HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
            assertEquals("local", c.read().body());
            assertStillServes(c);
        }
    }

    @Test
    void upgradeIsNotSupportedAndNotSmuggled() throws Exception {
        try (RawClient c = client()) {
            c.send("GET /up HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
            RawClient.Response r = c.read();
            assertEquals(200, r.status());
            RawUpstream.Received up = upstream.next();
            assertNull(up.header("upgrade"));
            assertNull(up.header("connection"));
            c.send("GET /up HTTP/1.1\r\nHost: x\r\nUpgrade: h2c\r\nConnection: Upgrade, HTTP2-Settings\r\n"
                    + "HTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n\r\n");
            assertEquals(200, c.read().status());
            up = upstream.next();
            assertNull(up.header("upgrade"));
            assertNull(up.header("http2-settings"));
            assertStillServes(c);
        }
    }

    @Test
    void rejectionIsReadableEvenWithALargeUnreadBody() throws Exception {
        // The client is still sending when the proxy answers and closes; closing with unread
        // bytes would reset the connection and could destroy the 400 before the client reads it.
        for (int i = 0; i < 5; i++) {
            try (RawClient c = client()) {
                c.send("POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n");
                if (i % 2 == 0) Thread.sleep(50);
                try {
                    c.send(new byte[512 * 1024]);
                } catch (java.io.IOException ignored) {
                    // the proxy may already have closed its side
                }
                RawClient.Response r = c.read();
                assertEquals(400, r.status());
                assertTrue(r.connectionClose());
            }
        }
    }

    @Test
    void halfClosedClientStillGetsItsResponses() throws Exception {
        try (RawClient c = client()) {
            c.send("GET /slow/1 HTTP/1.1\r\nHost: x\r\n\r\nGET /up/2 HTTP/1.1\r\nHost: x\r\n\r\n").shutdownOutput();
            assertTrue(c.read().body().startsWith("GET /slow/1 "));
            assertTrue(c.read().body().startsWith("GET /up/2 "));
            assertTrue(c.closedWithin(2000), "closed once everything was answered");
        }
        try (RawClient c = client()) {
            c.send("GET /up HTTP/1.0\r\n\r\n").shutdownOutput();
            assertEquals(200, c.read().status());
        }
    }

    @Test
    void slowRequestHeadsTimeOutWith408() throws Exception {
        try (var slow = startProxy("request_headers_timeout: 300ms")) {
            try (RawClient c = new RawClient(slow.port())) {
                c.send("GET /local HTTP/1.1\r\nHost: x\r\n");
                RawClient.Response r = c.read();
                assertEquals(408, r.status());
                assertTrue(r.connectionClose());
                assertTrue(c.closedWithin(2000));
            }
            // Idle time between requests is not head time; a head that completes in time is served.
            try (RawClient c = new RawClient(slow.port())) {
                Thread.sleep(400);
                c.send("GET /local HTTP/1.1\r\nHost: x\r\n");
                Thread.sleep(100);
                c.send("\r\n");
                assertEquals(200, c.read().status());
                Thread.sleep(400);
                c.send("GET /local HTTP/1.1\r\nHost: x\r\n\r\n");
                assertEquals(200, c.read().status());
            }
        }
    }

    @Test
    void connectIsRefused() throws Exception {
        assertRejected("CONNECT x.example:443 HTTP/1.1\r\nHost: x.example:443\r\n\r\n", 501);
    }

    @Test
    void clientClosingMidBodyAbortsTheUpstreamRequest() throws Exception {
        try (RawClient c = client()) {
            c.send("POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nhello");
            Thread.sleep(100);
        }
        try (RawClient c = client()) {
            c.send("POST /up HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n");
            Thread.sleep(100);
        }
        assertNull(upstream.poll(300), "an incomplete request must not look complete upstream");
        assertServedKeepAlive("GET /up HTTP/1.1\r\nHost: x\r\n\r\n", 200);
        RawUpstream.Received next = upstream.next();
        assertEquals("/up", next.path(), "the aborted requests left nothing behind on the upstream side");
        assertEquals("", next.body());
        assertNull(upstream.poll(50));
    }
}
