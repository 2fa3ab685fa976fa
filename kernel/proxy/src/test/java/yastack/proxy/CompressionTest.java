package yastack.proxy;

import yastack.proxy.fixtures.ProxyHarness;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The listener's gzip: what gets compressed, what does not, and that the bytes come back whole. */
class CompressionTest {
    static HttpServer upstream;
    static ProxyHarness proxy;
    static final byte[] PAGE = "<p>yastack compresses what it is asked to</p>\n".repeat(3000).getBytes(StandardCharsets.UTF_8);

    @BeforeAll
    static void start() throws Exception {
        upstream = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        upstream.setExecutor(Executors.newCachedThreadPool());
        upstream.createContext("/", ex -> {
            ex.getRequestBody().readAllBytes();
            String path = ex.getRequestURI().getPath();
            byte[] body = path.startsWith("/small") ? "tiny".getBytes() : PAGE;
            String type = path.startsWith("/png") ? "image/png" : "text/html; charset=utf-8";
            ex.getResponseHeaders().set("content-type", type);
            ex.getResponseHeaders().set("etag", "\"v1\"");
            if (path.startsWith("/encoded")) ex.getResponseHeaders().set("content-encoding", "br");
            if (path.startsWith("/notransform")) ex.getResponseHeaders().set("cache-control", "no-transform");
            boolean streamed = path.startsWith("/stream");
            ex.sendResponseHeaders(200, streamed ? 0 : body.length); // 0: chunked
            try (OutputStream out = ex.getResponseBody()) {
                if (!streamed) out.write(body);
                else for (int i = 0; i < body.length; i += 7000) {
                    out.write(body, i, Math.min(7000, body.length - i));
                    out.flush();
                }
            }
        });
        upstream.start();
        proxy = new ProxyHarness(ProxyHarness.singleRoute("compression: {min_length: 100}", upstream.getAddress().getPort()), 1);
    }

    @AfterAll
    static void stop() {
        if (proxy != null) proxy.close();
        upstream.stop(0);
    }

    private static HttpResponse<byte[]> get(String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.port + path)).timeout(Duration.ofSeconds(10));
        for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        return proxy.client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static byte[] gunzip(byte[] b) throws IOException {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(b))) {
            return in.readAllBytes();
        }
    }

    @Test
    void gzipWhenAcceptedAndWorthIt() throws Exception {
        long compressed = proxy.stat("http.web.gzip.compressed");
        long uncompressedBytes = proxy.stat("http.web.gzip.total_uncompressed_bytes");
        long compressedBytes = proxy.stat("http.web.gzip.total_compressed_bytes");
        long sent = 0;
        for (String path : new String[] {"/page", "/stream"}) {
            HttpResponse<byte[]> r = get(path, "accept-encoding", "br;q=1, gzip;q=0.8");
            sent += r.body().length;
            assertEquals("gzip", r.headers().firstValue("content-encoding").orElse(""), path + " " + r.headers().map());
            assertTrue(r.headers().firstValue("content-length").isEmpty(), path);
            assertTrue(r.headers().allValues("vary").stream().anyMatch(v -> v.equalsIgnoreCase("accept-encoding")), path);
            assertEquals("W/\"v1\"", r.headers().firstValue("etag").orElse(""), "a strong validator weakens");
            assertTrue(r.body().length < PAGE.length / 10, path + ": " + r.body().length + " bytes");
            assertArrayEquals(PAGE, gunzip(r.body()), path);
        }
        assertEquals(compressed + 2, proxy.awaitStatValue("http.web.gzip.compressed", compressed + 2));
        assertEquals(uncompressedBytes + 2L * PAGE.length,
                proxy.awaitStatValue("http.web.gzip.total_uncompressed_bytes", uncompressedBytes + 2L * PAGE.length));
        assertEquals(compressedBytes + sent, proxy.awaitStatValue("http.web.gzip.total_compressed_bytes", compressedBytes + sent),
                "the gzip bytes the client received");
    }

    @Test
    void identityOtherwise() throws Exception {
        String[][] cases = {
                {"/page", "accept-encoding", "identity"},
                {"/page", "accept-encoding", "gzip;q=0, *"},
                {"/png", "accept-encoding", "gzip"},
                {"/small", "accept-encoding", "gzip"},
                {"/encoded", "accept-encoding", "gzip"},
                {"/notransform", "accept-encoding", "gzip"},
        };
        for (String[] c : cases) {
            HttpResponse<byte[]> r = get(c[0], c[1], c[2]);
            assertEquals(200, r.statusCode());
            String encoding = r.headers().firstValue("content-encoding").orElse("");
            // left as the upstream sent it: not encoded, or its own br for /encoded
            assertEquals(c[0].equals("/encoded") ? "br" : "", encoding, String.join(" ", c));
            assertEquals("\"v1\"", r.headers().firstValue("etag").orElse(""), String.join(" ", c));
        }
        // HEAD and HTTP/1.0 are left alone too (nginx's gzip_http_version 1.1).
        String head = proxy.raw("HEAD /page HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\nConnection: close\r\n\r\n", 5000);
        assertTrue(head.startsWith("HTTP/1.1 200") && !head.toLowerCase().contains("content-encoding"), head);
        String old = proxy.raw("GET /page HTTP/1.0\r\nAccept-Encoding: gzip\r\n\r\n", 5000);
        assertTrue(old.startsWith("HTTP/1.1 200") && !old.toLowerCase().contains("content-encoding"), old.substring(0, 300));
    }
}
