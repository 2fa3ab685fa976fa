package yastack.proxy.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import yastack.proxy.fixtures.ProxyHarness;
import yastack.proxy.fixtures.TestPki;
import yastack.proxy.fixtures.TestUpstream;

/**
 * HTTP/2 clients at the edge, driven frame by frame ({@link H2Wire}): the SETTINGS and
 * window the listener announces, max_concurrent_streams, and each flood — rapid reset
 * (CVE-2023-44487), CONTINUATION, empty DATA, SETTINGS, PING — ends that connection with
 * GOAWAY ENHANCE_YOUR_CALM and a count, while another client (curl over h2) is served as
 * before. Header limits apply to h2 requests as to HTTP/1.1 ones.
 */
class Http2EdgeTest {
    static Path dir;
    static TestPki pki;
    static TestUpstream up;
    static ProxyHarness proxy;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("yastack-h2edge");
        pki = new TestPki(dir);
        pki.issue("srv", "127.0.0.1");
        up = new TestUpstream("up");
        proxy = new ProxyHarness(config("""
                      max_request_headers_kb: 16
                      http2_protocol_options: {max_concurrent_streams: 3, initial_stream_window_size: 131072, initial_connection_window_size: 2097152}
                """), 1);
    }

    /** An h2 listener whose {@code http} block has {@code httpExtra} (indented to it) besides its route. */
    static String config(String httpExtra) {
        return """
                listeners:
                  - name: web
                    address: 127.0.0.1
                    port: ${PORT}
                    tls: {certificates: [{cert: %s, key: %s}], alpn: [h2, http/1.1]}
                    http:
                %s      route_config:
                        virtual_hosts: [{name: all, domains: ["*"], routes: [{match: {prefix: "/"}, route: {cluster: up}}]}]
                clusters:
                  - {name: up, endpoints: [{address: 127.0.0.1, port: %d}]}
                """.formatted(pki.path("srv.pem"), pki.path("srv.key"), httpExtra, up.port());
    }

    @Test
    void aConnectionWithNoOpenStreamClosesAfterTheIdleTimeout() throws Exception {
        try (ProxyHarness idle = new ProxyHarness(config("      idle_timeout: 400ms\n"), 1);
             H2Wire c = new H2Wire(idle.port)) {
            c.await(H2Wire.SETTINGS, 3000);
            c.request(1, "GET", "/delay/700", true); // open longer than the timeout: not idle
            H2Wire.Frame head = c.await(H2Wire.HEADERS, 3000);
            assertNotNull(head, "the slow stream is answered");
            H2Wire.Frame goAway = c.await(H2Wire.GOAWAY, 3000);
            assertNotNull(goAway, "then, quiet, the connection is told to go");
            assertEquals(H2Wire.CLOSED, c.await(-2, 3000), "and closes");
            assertEquals(1, idle.awaitStat("http.web.downstream_cx_idle_timeout", 1));
        }
    }

    /** RFC 9113 8.2.3: Cookie split over several h2 fields is one field on the HTTP/1.1 hop, joined with "; ". */
    @Test
    void splitCookieFieldsReachAnHttp11UpstreamAsOne() throws Exception {
        try (H2Wire c = new H2Wire(proxy.port)) {
            c.await(H2Wire.SETTINGS, 3000);
            c.request(1, "GET", "/echo", true, "cookie", "a=1", "x-other", "o", "cookie", "b=2");
            StringBuilder body = new StringBuilder();
            for (H2Wire.Frame f; (f = c.await(H2Wire.DATA, 5000)) != null && f != H2Wire.CLOSED; ) {
                body.append(new String(f.payload(), java.nio.charset.StandardCharsets.ISO_8859_1));
                if ((f.flags() & H2Wire.END_STREAM) != 0) break;
            }
            String echoed = body.toString().toLowerCase(java.util.Locale.ROOT);
            assertTrue(echoed.contains("h:cookie=a=1; b=2"), echoed); // the upstream echoes each field as h:name=value
            assertEquals(1, echoed.split("h:cookie=", -1).length - 1, "one Cookie field: " + echoed);
            assertTrue(echoed.contains("h:x-other=o"), echoed);
        }
    }

    /**
     * An HTTP/2 field value may carry bytes an HTTP/1.1 line cannot (RFC 9113 8.2.1), and an
     * HTTP/2 request may name connection-specific fields (8.2.2) or a Host other than its
     * :authority (8.3.1): each could split, reframe or misdirect the HTTP/1.1 request made from
     * it, so the stream is refused and nothing reaches the upstream.
     */
    @Test
    void fieldsThatCouldSplitTheHttp11RequestAreRefused() throws Exception {
        String[][] cases = {
                {"x-inj", "a\r\nx-smuggled: 1"},
                {"x-inj", "a\nx-smuggled: 1"},
                {"x-inj", "a\u0000b"},
                {"transfer-encoding", "chunked"},
                {"connection", "keep-alive"},
                {"te", "gzip"},
                {"host", "elsewhere"},
        };
        int before = up.requests.get();
        for (String[] field : cases) {
            try (H2Wire c = new H2Wire(proxy.port)) {
                c.await(H2Wire.SETTINGS, 3000);
                c.request(1, "GET", "/echo", true, field[0], field[1]);
                H2Wire.Frame answer = firstOn(c, 1);
                assertNotNull(answer, "no answer to " + field[0]);
                assertTrue(answer.type() == H2Wire.RST_STREAM, field[0] + " with a value of "
                        + field[1].length() + " bytes: frame type " + answer.type() + ", not a reset stream");
            }
        }
        // Pseudo-headers become the HTTP/1.1 request line: no whitespace or controls in them.
        String[][] lines = {{"GET", "/a b"}, {"GET", "/a\tb"}, {"GET /x", "/a"}, {"GET", "/a\r\nx: y"}, {"GET", ""}};
        for (String[] line : lines) {
            try (H2Wire c = new H2Wire(proxy.port)) {
                c.await(H2Wire.SETTINGS, 3000);
                c.request(1, line[0], line[1], true);
                H2Wire.Frame answer = firstOn(c, 1);
                assertNotNull(answer, "no answer to " + line[0] + " " + line[1]);
                // RFC 9113 8.1.1: a server may answer a malformed request before resetting it
                String status = answer.type() == H2Wire.HEADERS ? String.valueOf(c.headers(answer).status()) : null;
                assertTrue(answer.type() == H2Wire.RST_STREAM || "400".equals(status), "method of " + line[0].length()
                        + ", path of " + line[1].length() + " bytes: frame type " + answer.type() + ", status " + status);
            }
        }
        assertEquals(before, up.requests.get(), "nothing reached the upstream");
        // A body longer than its content-length (8.1.1) is malformed too: the stream is reset
        // (its head may have gone upstream already, as bodies stream).
        try (H2Wire c = new H2Wire(proxy.port)) {
            c.await(H2Wire.SETTINGS, 3000);
            c.request(1, "POST", "/echo", false, "content-length", "3");
            c.frame(H2Wire.DATA, H2Wire.END_STREAM, 1, "hello".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            H2Wire.Frame answer = firstOn(c, 1);
            assertNotNull(answer, "no answer to a body longer than its content-length");
            assertEquals(H2Wire.RST_STREAM, answer.type(), "a body longer than its content-length");
        }
        assertEquals("2 200", curl(), "other requests are served");
    }

    /** The first HEADERS or RST_STREAM of {@code stream}, else a GOAWAY or the close, whichever comes first. */
    private static H2Wire.Frame firstOn(H2Wire c, int stream) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < deadline) {
            H2Wire.Frame f = c.received.poll(100, java.util.concurrent.TimeUnit.MILLISECONDS);
            if (f == null) continue;
            if (f == H2Wire.CLOSED || f.type() == H2Wire.GOAWAY) return f;
            if (f.stream() == stream && (f.type() == H2Wire.HEADERS || f.type() == H2Wire.RST_STREAM)) return f;
        }
        return null;
    }

    @AfterAll
    static void stop() throws Exception {
        proxy.close();
        up.close();
    }

    /** curl over h2 with {@code args}: "HTTP_VERSION STATUS". */
    static String curl(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("curl", "-sk", "--http2", "-o", "/dev/null",
                "-w", "%{http_version} %{http_code}", "--max-time", "10"));
        cmd.addAll(List.of(args));
        cmd.add("https://127.0.0.1:" + proxy.port + "/echo");
        return pki.run(cmd.toArray(new String[0])).trim();
    }

    /** The flood ended the connection with GOAWAY ENHANCE_YOUR_CALM, counted once in {@code stat}; others are served. */
    static void assertCalmedDown(H2Wire c, String stat, long before) throws Exception {
        H2Wire.Frame goAway = c.await(H2Wire.GOAWAY, 5000);
        assertNotNull(goAway, "no GOAWAY within 5 s");
        assertEquals(H2Wire.GOAWAY, goAway.type(), "the connection closed without GOAWAY");
        assertEquals(H2Wire.ENHANCE_YOUR_CALM, goAway.int32(4));
        assertEquals(H2Wire.CLOSED, c.await(-2, 5000), "and then it closes");
        assertEquals(before + 1, proxy.awaitStat(stat, before + 1));
        assertEquals("2 200", curl(), "another client is served as before");
    }

    @Test
    void settingsAndWindowAnnounceTheLimits() throws Exception {
        try (H2Wire c = new H2Wire(proxy.port)) {
            H2Wire.Frame settings = c.await(H2Wire.SETTINGS, 3000);
            Map<Integer, Long> values = new HashMap<>();
            for (int i = 0; i + 6 <= settings.payload().length; i += 6) {
                int id = (settings.payload()[i] & 0xff) << 8 | (settings.payload()[i + 1] & 0xff);
                values.put(id, Integer.toUnsignedLong(settings.int32(i + 2)));
            }
            assertEquals(3L, values.get(0x3), "SETTINGS_MAX_CONCURRENT_STREAMS");
            assertEquals(131072L, values.get(0x4), "SETTINGS_INITIAL_WINDOW_SIZE");
            assertEquals(16384L, values.get(0x6), "SETTINGS_MAX_HEADER_LIST_SIZE from max_request_headers_kb");
            // The codec raises the connection window for a larger stream window itself; together with ours: 2 MiB.
            Thread.sleep(300);
            long increments = c.received.stream().filter(f -> f.type() == H2Wire.WINDOW_UPDATE && f.stream() == 0)
                    .mapToLong(f -> f.int32(0)).sum();
            assertEquals(2097152 - 65535, increments, "the connection window raised to 2 MiB");
            c.request(1, "GET", "/echo", true);
            H2Wire.Frame response = c.await(H2Wire.HEADERS, 5000);
            assertEquals(1, response.stream(), "a plain request is answered on this wire");
        }
    }

    /**
     * RFC 9113 5.2 / 6.9: what the proxy sends on two streams never passes the client's
     * connection window, and a WINDOW_UPDATE lets the rest of both go. (Which stream fills the
     * window first is up to whose upstream answers first.)
     */
    @Test
    void concurrentStreamsShareTheClientsConnectionWindowAndFinishWhenItOpens() throws Exception {
        int size = 200_000;
        try (H2Wire c = new H2Wire(proxy.port)) {
            c.await(H2Wire.SETTINGS, 3000);
            c.request(1, "GET", "/bytes/" + size, true);
            c.request(3, "GET", "/bytes/" + size, true);
            Map<Integer, Long> got = new HashMap<>(Map.of(1, 0L, 3, 0L));
            // The client announced nothing: 65,535 bytes of connection window (6.9.2), for both streams together.
            for (H2Wire.Frame f; got.get(1) + got.get(3) < 65_535L && (f = c.await(H2Wire.DATA, 10_000)) != null && f != H2Wire.CLOSED; ) {
                got.merge(f.stream(), (long) f.payload().length, Long::sum);
            }
            assertEquals(65_535L, got.get(1) + got.get(3), "the connection window is filled: " + got);
            assertNull(c.await(H2Wire.DATA, 500), "and not passed");
            c.frame(H2Wire.WINDOW_UPDATE, 0, 0, H2Wire.int32(2 * size));
            c.frame(H2Wire.WINDOW_UPDATE, 0, 1, H2Wire.int32(size));
            c.frame(H2Wire.WINDOW_UPDATE, 0, 3, H2Wire.int32(size));
            int ended = 0;
            for (H2Wire.Frame f; ended < 2 && (f = c.await(H2Wire.DATA, 5000)) != null && f != H2Wire.CLOSED; ) {
                got.merge(f.stream(), (long) f.payload().length, Long::sum);
                if ((f.flags() & H2Wire.END_STREAM) != 0) ended++;
            }
            assertEquals(Map.of(1, (long) size, 3, (long) size), got, "both responses whole once the window opened");
        }
    }

    @Test
    void streamsBeyondMaxConcurrentStreamsAreRefused() throws Exception {
        try (H2Wire c = new H2Wire(proxy.port)) {
            c.await(H2Wire.SETTINGS, 3000);
            for (int s = 1; s <= 7; s += 2) c.request(s, "GET", "/delay/1000", true);
            H2Wire.Frame rst = c.await(H2Wire.RST_STREAM, 3000);
            assertNotNull(rst);
            assertEquals(7, rst.stream(), "the fourth stream");
            assertEquals(H2Wire.REFUSED_STREAM, rst.int32(0));
        }
    }

    @Test
    void rapidResetEndsTheConnection() throws Exception {
        long before = proxy.stat("http.web.downstream_rq_too_many_premature_resets");
        try (H2Wire c = new H2Wire(proxy.port)) {
            c.flood(i -> {
                int s = 2 * i + 1;
                c.request(s, "GET", "/delay/200", true);
                c.rst(s, H2Wire.CANCEL);
            }, 1000);
            assertCalmedDown(c, "http.web.downstream_rq_too_many_premature_resets", before);
        }
    }

    @Test
    void continuationFloodEndsTheConnection() throws Exception {
        long before = proxy.stat("http.web.http2.continuation_flood");
        try (H2Wire c = new H2Wire(proxy.port)) {
            byte[] block = c.headerBlock("GET", "/echo");
            c.frame(H2Wire.HEADERS, 0, 1, block);
            c.flood(i -> c.frame(H2Wire.CONTINUATION, 0, 1, new byte[] {0x40}), 1000);
            assertCalmedDown(c, "http.web.http2.continuation_flood", before);
        }
    }

    @Test
    void emptyDataFloodEndsTheConnection() throws Exception {
        long before = proxy.stat("http.web.http2.inbound_empty_frames_flood");
        try (H2Wire c = new H2Wire(proxy.port)) {
            c.request(1, "POST", "/upload", false);
            c.flood(i -> c.frame(H2Wire.DATA, 0, 1, new byte[0]), 100);
            assertCalmedDown(c, "http.web.http2.inbound_empty_frames_flood", before);
        }
    }

    @Test
    void settingsFloodEndsTheConnection() throws Exception {
        long before = proxy.stat("http.web.http2.settings_flood");
        try (H2Wire c = new H2Wire(proxy.port)) {
            c.flood(i -> c.frame(H2Wire.SETTINGS, 0, 0, new byte[0]), 1000);
            assertCalmedDown(c, "http.web.http2.settings_flood", before);
        }
    }

    @Test
    void pingFloodEndsTheConnection() throws Exception {
        long before = proxy.stat("http.web.http2.ping_flood");
        try (H2Wire c = new H2Wire(proxy.port)) {
            c.flood(i -> c.frame(H2Wire.PING, 0, 0, new byte[8]), 1000);
            assertCalmedDown(c, "http.web.http2.ping_flood", before);
        }
    }

    @Test
    void headerLimitsApplyToHttp2Requests() throws Exception {
        assertEquals("2 431", curl("-H", "x-big: " + "b".repeat(20 * 1024)), "over max_request_headers_kb");
        List<String> many = new ArrayList<>();
        for (int i = 0; i < 101; i++) {
            many.add("-H");
            many.add("x-h" + i + ": v");
        }
        assertEquals("2 431", curl(many.toArray(new String[0])), "over max_headers_count");
        assertEquals("2 400", curl("-H", "x_user: admin"), "underscores rejected as for HTTP/1.1");
    }
}
