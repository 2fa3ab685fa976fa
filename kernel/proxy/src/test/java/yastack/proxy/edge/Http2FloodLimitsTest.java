package yastack.proxy.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import yastack.proxy.fixtures.ProxyHarness;
import yastack.proxy.fixtures.TestPki;
import yastack.proxy.fixtures.TestUpstream;

/**
 * The HTTP/2 flood limits are the listener's {@code http2_protocol_options}: the same frames
 * end a connection to listener {@code tuned} (limits set) and are served on listener
 * {@code web} (defaults), or the other way round where {@code tuned} allows more.
 */
class Http2FloodLimitsTest {
    static Path dir;
    static TestPki pki;
    static TestUpstream up;
    static ProxyHarness proxy;
    static int tunedPort;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("yastack-h2limits");
        pki = new TestPki(dir);
        pki.issue("srv", "127.0.0.1");
        up = new TestUpstream("up");
        tunedPort = ProxyHarness.freePort();
        String tls = "tls: {certificates: [{cert: %s, key: %s}], alpn: [h2, http/1.1]}".formatted(pki.path("srv.pem"), pki.path("srv.key"));
        String routes = "route_config: {virtual_hosts: [{name: all, domains: [\"*\"], routes: [{match: {prefix: \"/\"}, route: {cluster: up}}]}]}";
        proxy = new ProxyHarness("""
                listeners:
                  - name: web
                    address: 127.0.0.1
                    port: ${PORT}
                    %1$s
                    http:
                      %2$s
                  - name: tuned
                    address: 127.0.0.1
                    port: %3$d
                    %1$s
                    http:
                      http2_protocol_options:
                        max_inbound_control_frames: 5
                        max_premature_resets: 10
                        max_header_block_frames: 4
                        max_consecutive_inbound_frames_with_empty_payload: 3
                        max_inbound_priority_frames_per_stream: 2
                      %2$s
                clusters:
                  - {name: up, endpoints: [{address: 127.0.0.1, port: %4$d}]}
                """.formatted(tls, routes, tunedPort, up.port()), 1);
    }

    @AfterAll
    static void stop() throws Exception {
        proxy.close();
        up.close();
    }

    /** A client of {@code tuned} (true) or {@code web}, past the server's SETTINGS. */
    static H2Wire client(boolean tuned) throws Exception {
        H2Wire c = new H2Wire(tuned ? tunedPort : proxy.port);
        assertNotNull(c.await(H2Wire.SETTINGS, 3000), "no SETTINGS");
        return c;
    }

    static void assertCalmedDown(H2Wire c, String stat, long before) throws Exception {
        H2Wire.Frame goAway = c.await(H2Wire.GOAWAY, 5000);
        assertNotNull(goAway, "no GOAWAY within 5 s");
        assertEquals(H2Wire.GOAWAY, goAway.type(), "the connection closed without GOAWAY");
        assertEquals(H2Wire.ENHANCE_YOUR_CALM, goAway.int32(4));
        assertEquals(before + 1, proxy.awaitStat(stat, before + 1));
    }

    /** The connection still serves: a GET on {@code stream} is answered, no GOAWAY before it. */
    static void assertServes(H2Wire c, int stream) throws Exception {
        c.request(stream, "GET", "/echo", true);
        assertAnswered(c, stream);
    }

    static void assertAnswered(H2Wire c, int stream) throws Exception {
        while (true) {
            H2Wire.Frame f = c.received.poll(5, TimeUnit.SECONDS);
            assertNotNull(f, "no answer on stream " + stream + " within 5 s");
            assertTrue(f.type() != H2Wire.GOAWAY && f != H2Wire.CLOSED, "the connection ended: " + f.type());
            if (f.type() == H2Wire.HEADERS && f.stream() == stream) return;
        }
    }

    @Test
    void maxInboundControlFrames() throws Exception {
        long before = proxy.stat("http.tuned.http2.ping_flood");
        try (H2Wire c = client(true)) {
            for (int i = 0; i < 10; i++) c.frame(H2Wire.PING, 0, 0, new byte[8]);
            assertCalmedDown(c, "http.tuned.http2.ping_flood", before);
        }
        try (H2Wire c = client(false)) {
            for (int i = 0; i < 10; i++) c.frame(H2Wire.PING, 0, 0, new byte[8]);
            assertServes(c, 1);
        }
    }

    @Test
    void maxPrematureResets() throws Exception {
        String stat = "http.tuned.downstream_rq_too_many_premature_resets";
        long before = proxy.stat(stat);
        try (H2Wire c = client(true)) {
            for (int s = 1; s < 40; s += 2) {
                c.request(s, "GET", "/delay/200", true);
                c.rst(s, H2Wire.CANCEL);
            }
            assertCalmedDown(c, stat, before);
        }
        try (H2Wire c = client(false)) {
            for (int s = 1; s < 40; s += 2) {
                c.request(s, "GET", "/delay/200", true);
                c.rst(s, H2Wire.CANCEL);
            }
            assertServes(c, 41);
        }
    }

    /** A header block in 6 frames: HEADERS and 5 CONTINUATIONs. */
    static void headersInSixFrames(H2Wire c) throws Exception {
        byte[] block = c.headerBlock("GET", "/echo");
        int piece = block.length / 6;
        for (int i = 0; i < 6; i++) {
            byte[] part = Arrays.copyOfRange(block, i * piece, i == 5 ? block.length : (i + 1) * piece);
            int flags = i == 5 ? H2Wire.END_HEADERS : 0;
            if (i == 0) c.frame(H2Wire.HEADERS, flags | H2Wire.END_STREAM, 1, part);
            else c.frame(H2Wire.CONTINUATION, flags, 1, part);
        }
    }

    @Test
    void maxHeaderBlockFrames() throws Exception {
        long before = proxy.stat("http.tuned.http2.continuation_flood");
        try (H2Wire c = client(true)) {
            headersInSixFrames(c);
            assertCalmedDown(c, "http.tuned.http2.continuation_flood", before);
        }
        try (H2Wire c = client(false)) {
            headersInSixFrames(c);
            assertAnswered(c, 1);
        }
    }

    /** A POST whose body comes after {@code empty} empty DATA frames. */
    static void postAfterEmptyFrames(H2Wire c, int empty) throws Exception {
        c.request(1, "POST", "/upload", false);
        for (int i = 0; i < empty; i++) c.frame(H2Wire.DATA, 0, 1, new byte[0]);
        c.frame(H2Wire.DATA, H2Wire.END_STREAM, 1, new byte[] {'x'});
    }

    @Test
    void maxConsecutiveInboundFramesWithEmptyPayload() throws Exception {
        try (H2Wire c = client(true)) {
            postAfterEmptyFrames(c, 3);
            assertAnswered(c, 1);
        }
        long before = proxy.stat("http.web.http2.inbound_empty_frames_flood");
        try (H2Wire c = client(false)) {
            postAfterEmptyFrames(c, 3);
            assertCalmedDown(c, "http.web.http2.inbound_empty_frames_flood", before);
        }
        before = proxy.stat("http.tuned.http2.inbound_empty_frames_flood");
        try (H2Wire c = client(true)) {
            postAfterEmptyFrames(c, 4);
            assertCalmedDown(c, "http.tuned.http2.inbound_empty_frames_flood", before);
        }
    }

    /** {@code count} PRIORITY frames for idle streams 101, 103, ... (RFC 9113 6.3 allows them in any stream state). */
    static void priorities(H2Wire c, int count) throws Exception {
        for (int i = 0; i < count; i++) c.frame(H2Wire.PRIORITY, 0, 101 + 2 * i, new byte[] {0, 0, 0, 0, 15});
    }

    @Test
    void maxInboundPriorityFramesPerStream() throws Exception {
        long before = proxy.stat("http.tuned.http2.inbound_priority_frames_flood");
        try (H2Wire c = client(true)) {
            priorities(c, 5);
            assertCalmedDown(c, "http.tuned.http2.inbound_priority_frames_flood", before);
        }
        try (H2Wire c = client(false)) {
            priorities(c, 5);
            assertServes(c, 201);
        }
    }
}
