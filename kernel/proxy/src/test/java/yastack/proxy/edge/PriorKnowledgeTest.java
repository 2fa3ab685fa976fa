package yastack.proxy.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import yastack.proxy.fixtures.ProxyHarness;

/**
 * HTTP/2 without TLS (RFC 9113 3.3, "prior knowledge"): on a cleartext listener with
 * {@code codec_type: auto} (the default) a connection that opens with the HTTP/2 preface is
 * served as HTTP/2 and any other as HTTP/1.1; {@code http2} speaks only HTTP/2 and
 * {@code http1} only HTTP/1.1. Real proxy, real upstream, a hand-driven HTTP/2 client, the
 * JDK's HTTP/1.1 client and curl.
 */
class PriorKnowledgeTest extends OneUpstream {
    static ProxyHarness proxy(String codec) throws Exception {
        return new ProxyHarness(ProxyHarness.singleRoute(codec == null ? "" : "codec_type: " + codec, up.port()), 1);
    }

    /** The body of the response on {@code stream}, after its HEADERS say {@code :status 200}. */
    static String body(H2Wire c, int stream) throws Exception {
        H2Wire.Frame head = c.await(H2Wire.HEADERS, 5000);
        assertNotNull(head, "no response HEADERS");
        assertEquals(stream, head.stream());
        assertEquals("200", c.headers(head).status().toString());
        StringBuilder body = new StringBuilder();
        for (H2Wire.Frame f; (f = c.await(H2Wire.DATA, 5000)) != null && f != H2Wire.CLOSED; ) {
            body.append(new String(f.payload(), StandardCharsets.ISO_8859_1));
            if ((f.flags() & H2Wire.END_STREAM) != 0) break;
        }
        return body.toString().toLowerCase(Locale.ROOT);
    }

    @Test
    void autoServesHttp2ClientsWithPriorKnowledgeAndHttp11OnTheSameListener() throws Exception {
        try (ProxyHarness proxy = proxy(null)) {
            try (H2Wire c = new H2Wire(new Socket("127.0.0.1", proxy.port))) {
                assertNotNull(c.await(H2Wire.SETTINGS, 3000), "the server's SETTINGS");
                c.request(1, "GET", "/echo", true, "x-probe", "h2c");
                String echoed = body(c, 1);
                assertTrue(echoed.contains("h:x-probe=h2c"), echoed);
                assertTrue(echoed.contains("h:x-forwarded-proto=http"), echoed);
                c.request(3, "GET", "/echo", true);
                assertTrue(body(c, 3).contains("method=get\nuri=/echo"), "a second stream on the connection");
            }
            assertEquals(1, proxy.stat("http.web.downstream_cx_http2_total"));
            assertEquals(0, proxy.stat("http.web.downstream_cx_http1_total"), "the connection that turned to HTTP/2 is not HTTP/1.1's");
            assertEquals(1, proxy.stat("listener.web.downstream_cx_total"), "counted once, when it opened");
            assertEquals(0, proxy.awaitStatValue("http.web.downstream_cx_http2_active", 0));
            assertEquals(0, proxy.awaitStatValue("listener.web.downstream_cx_active", 0), "and uncounted once, when it closed");
            // HTTP/1.1 requests, one of them beginning with 'P' as the preface does, are HTTP/1.1's.
            HttpResponse<String> get = proxy.get("/echo");
            assertEquals(200, get.statusCode());
            assertEquals(HttpClient.Version.HTTP_1_1, get.version());
            HttpResponse<String> post = proxy.client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.port + "/echo"))
                    .POST(HttpRequest.BodyPublishers.ofString("abc")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, post.statusCode());
            assertTrue(post.body().contains("method=POST\nuri=/echo"), post.body());
            assertEquals(1, proxy.stat("http.web.downstream_cx_http2_total"), "HTTP/1.1 connections are not counted as HTTP/2");
            long http1 = proxy.stat("http.web.downstream_cx_http1_total");
            assertTrue(http1 >= 1, "the JDK client's connections are HTTP/1.1's: " + http1);
            String raw = proxy.raw("GET /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 3000);
            assertTrue(raw.startsWith("HTTP/1.1 200"), raw);
            assertEquals(http1 + 1, proxy.awaitStat("http.web.downstream_cx_http1_total", http1 + 1));
            proxy.client.close(); // its kept-alive connections close: none stays counted as active
            assertEquals(0, proxy.awaitStatValue("http.web.downstream_cx_http1_active", 0));
        }
    }

    /** The preface may arrive a few bytes at a time; the proxy waits for enough of it to decide. */
    @Test
    void aPrefaceInPiecesIsRecognised() throws Exception {
        try (ProxyHarness proxy = proxy("auto"); Socket s = new Socket("127.0.0.1", proxy.port)) {
            s.setTcpNoDelay(true);
            OutputStream out = s.getOutputStream();
            byte[] preface = H2Wire.PREFACE;
            for (int i = 0; i < preface.length; i += 5) {
                out.write(preface, i, Math.min(5, preface.length - i));
                out.flush();
                Thread.sleep(20);
            }
            out.write(new byte[] {0, 0, 0, 4, 0, 0, 0, 0, 0}); // an empty SETTINGS
            out.flush();
            s.setSoTimeout(5000);
            InputStream in = s.getInputStream();
            byte[] head = in.readNBytes(9);
            assertEquals(9, head.length);
            assertEquals(4, head[3], "the first frame is the server's SETTINGS");
            assertEquals(1, proxy.awaitStat("http.web.downstream_cx_http2_total", 1));
        }
    }

    @Test
    void curlWithPriorKnowledgeIsServedOverHttp2() throws Exception {
        try (ProxyHarness proxy = proxy(null)) {
            Process p = new ProcessBuilder("curl", "-s", "--http2-prior-knowledge", "-o", "/dev/null", "-w", "%{http_version} %{http_code}",
                    "--max-time", "10", "http://127.0.0.1:" + proxy.port + "/echo").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            assertEquals(0, p.waitFor());
            assertEquals("2 200", out);
        }
    }

    /** codec_type http2: HTTP/2 from the first byte; an HTTP/1.1 request is not served. */
    @Test
    void http2OnlyServesHttp2AndRefusesHttp11() throws Exception {
        try (ProxyHarness proxy = proxy("http2")) {
            try (H2Wire c = new H2Wire(new Socket("127.0.0.1", proxy.port))) {
                assertNotNull(c.await(H2Wire.SETTINGS, 3000));
                c.request(1, "GET", "/echo", true);
                assertTrue(body(c, 1).contains("method=get\nuri=/echo"));
            }
            String answer = proxy.raw("GET /echo HTTP/1.1\r\nHost: x\r\n\r\n", 3000);
            assertTrue(!answer.startsWith("HTTP/1.1"), "no HTTP/1.1 answer: " + answer);
            assertEquals(2, proxy.awaitStat("http.web.downstream_cx_http2_total", 2));
            assertEquals(1, proxy.awaitStat("http.web.downstream_cx_protocol_error", 1), "the HTTP/1.1 request is a protocol error, counted");
        }
    }

    /** codec_type http1: the preface is an HTTP/1.1 request line like any other, of a version not served (505). */
    @Test
    void http1OnlyAnswersThePrefaceAsHttp11() throws Exception {
        try (ProxyHarness proxy = proxy("http1")) {
            String answer = proxy.raw(new String(H2Wire.PREFACE, StandardCharsets.ISO_8859_1), 3000);
            assertTrue(answer.startsWith("HTTP/1.1 505 "), answer);
            assertEquals(200, proxy.get("/echo").statusCode());
            assertEquals(0, proxy.stat("http.web.downstream_cx_http2_total"));
            assertEquals(2, proxy.awaitStat("http.web.downstream_cx_http1_total", 2), "the preface's connection was HTTP/1.1's too");
        }
    }
}
