package yastack.proxy.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import yastack.proxy.fixtures.ProxyHarness;

/**
 * The stream and connection clocks beside the route timeout: route idle_timeout and the
 * listener's stream_idle_timeout (no bytes either way), request_timeout, max_stream_duration,
 * max_connection_duration and retry_policy.per_try_idle_timeout, against an upstream that
 * answers late, stalls after its head, or drips bytes.
 */
class StreamTimeoutsTest {
    static ScriptedUpstream up;

    @BeforeAll
    static void start() throws Exception {
        up = new ScriptedUpstream((head, out) -> {
            String path = head.substring(head.indexOf(' ') + 1, head.indexOf(' ', head.indexOf(' ') + 1));
            if (path.startsWith("/silent/")) {
                Thread.sleep(Long.parseLong(path.substring("/silent/".length())));
                ScriptedUpstream.write(out, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
            } else if (path.startsWith("/stall")) {
                ScriptedUpstream.write(out, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello");
                Thread.sleep(3000);
                ScriptedUpstream.write(out, "world");
            } else if (path.startsWith("/upload")) {
                Thread.sleep(2000); // long after the client should have sent its body
                ScriptedUpstream.write(out, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
            } else if (path.startsWith("/drip")) {
                ScriptedUpstream.write(out, "HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n");
                for (int i = 0; i < 12; i++) {
                    Thread.sleep(100);
                    ScriptedUpstream.write(out, "x");
                }
            } else {
                ScriptedUpstream.write(out, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
            }
        });
    }

    @AfterAll
    static void stop() throws Exception {
        up.close();
    }

    /** A listener with {@code httpExtra} whose routes are {@code routes} (cluster "up"), default route last. */
    static ProxyHarness proxy(String httpExtra, String routes) throws Exception {
        return new ProxyHarness(ProxyHarness.listenerWithRoutes(httpExtra, routes + """
                - match: {prefix: "/"}
                  route: {cluster: up}
                """) + "clusters:\n  - {name: up, endpoints: [{address: 127.0.0.1, port: " + up.port() + "}]}\n", 1);
    }

    static String get(ProxyHarness p, String path) throws Exception {
        return p.raw("GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 5000);
    }

    @Test
    void routeIdleTimeoutAnswers504WhenTheUpstreamIsSilent() throws Exception {
        try (ProxyHarness p = proxy("", """
                - match: {prefix: "/quick/"}
                  route: {cluster: up, idle_timeout: 300ms, prefix_rewrite: "/"}
                """)) {
            long t0 = System.nanoTime();
            String r = get(p, "/quick/silent/2000");
            assertTrue(r.startsWith("HTTP/1.1 504 ") && r.contains("stream timeout"), r);
            assertTrue(System.nanoTime() - t0 < 1_500_000_000L, "well before the upstream answers");
            assertEquals(1, p.awaitStat("http.web.downstream_rq_idle_timeout", 1));
            assertTrue(get(p, "/quick/silent/100").startsWith("HTTP/1.1 200 "), "an answer within the idle time passes");
        }
    }

    @Test
    void streamIdleTimeoutCutsAResponseThatStalls() throws Exception {
        try (ProxyHarness p = proxy("stream_idle_timeout: 400ms", "")) {
            long t0 = System.nanoTime();
            String r = get(p, "/stall");
            assertTrue(r.startsWith("HTTP/1.1 200 ") && r.endsWith("hello"), "the head and the first bytes, then the cut: " + r);
            assertTrue(System.nanoTime() - t0 < 2_500_000_000L, "cut long before the upstream's pause ends");
            assertEquals(1, p.awaitStat("http.web.downstream_rq_idle_timeout", 1));
        }
    }

    @Test
    void bytesMovingKeepAStreamAliveAndARouteCanTurnIdleOff() throws Exception {
        try (ProxyHarness p = proxy("stream_idle_timeout: 350ms", """
                - match: {prefix: "/patient/"}
                  route: {cluster: up, idle_timeout: 0s, prefix_rewrite: "/"}
                """)) {
            String r = get(p, "/drip");
            assertTrue(r.startsWith("HTTP/1.1 200 ") && r.endsWith("xxxxxxxxxxxx"), "1.2 s of bytes 100 ms apart: " + r);
            assertTrue(get(p, "/patient/silent/800").startsWith("HTTP/1.1 200 "));
            assertEquals(0, p.stat("http.web.downstream_rq_idle_timeout"));
        }
    }

    @Test
    void requestTimeoutAnswers408ToAClientThatStopsSending() throws Exception {
        try (ProxyHarness p = proxy("request_timeout: 400ms", "")) {
            String r = p.raw("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc", 3000);
            assertTrue(r.startsWith("HTTP/1.1 408 ") && !r.contains("<timeout>"), "answered and closed: " + r);
            assertEquals(1, p.awaitStat("http.web.downstream_rq_timeout", 1));
            assertTrue(get(p, "/drip").startsWith("HTTP/1.1 200 "), "a request received in time may take longer to answer");
        }
    }

    @Test
    void maxStreamDurationEndsAStreamHoweverBusy() throws Exception {
        try (ProxyHarness p = proxy("max_stream_duration: 500ms", "")) {
            String r = get(p, "/drip");
            assertTrue(r.startsWith("HTTP/1.1 200 ") && !r.endsWith("xxxxxxxxxxxx") && !r.contains("<timeout>"), r);
            assertEquals(1, p.awaitStat("http.web.downstream_rq_max_duration_reached", 1));
            assertTrue(get(p, "/silent/1000").startsWith("HTTP/1.1 504 "), "before the head: 504");
        }
    }

    @Test
    void listenerIdleTimeoutClosesAQuietConnectionButNotABusyOne() throws Exception {
        try (ProxyHarness p = proxy("idle_timeout: 300ms", "")) {
            try (Socket s = new Socket("127.0.0.1", p.port)) {
                s.setSoTimeout(3000);
                OutputStream out = s.getOutputStream();
                InputStream in = s.getInputStream();
                // Requests every 150 ms keep it open well past the timeout.
                for (int i = 0; i < 5; i++) {
                    out.write("GET /ok HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                    assertTrue(ProxyHarness.readResponse(in).startsWith("HTTP/1.1 200 "));
                    Thread.sleep(150);
                }
                // An exchange longer than the timeout is not cut: the timeout counts from its end.
                out.write("GET /silent/800 HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                assertTrue(ProxyHarness.readResponse(in).startsWith("HTTP/1.1 200 "));
                long t0 = System.nanoTime();
                assertEquals(-1, in.read(), "then the quiet connection is closed");
                long quietMillis = (System.nanoTime() - t0) / 1_000_000;
                assertTrue(quietMillis >= 250 && quietMillis < 2000, "closed after " + quietMillis + " ms");
            }
            assertEquals(1, p.awaitStat("http.web.downstream_cx_idle_timeout", 1));
        }
    }

    /**
     * The connection's idle timeout and its exchanges' deadlines share one wheel timeout: a
     * request deadline that comes first must not lose the idle timeout, and an idle timeout that
     * comes first must not cut an exchange.
     */
    @Test
    void listenerIdleTimeoutAndExchangeDeadlinesShareTheConnectionsClock() throws Exception {
        try (ProxyHarness p = proxy("idle_timeout: 600ms\n      stream_idle_timeout: 250ms", "")) {
            // The stream deadline (250 ms) fires before the idle one: 504, and the connection
            // stays; then, quiet, it still closes once the idle timeout is up.
            long quietMillis = answerThenIdleClose(p, "/silent/1500", "HTTP/1.1 504 ", "");
            assertTrue(quietMillis >= 500 && quietMillis < 2500, "closed after " + quietMillis + " ms");
            assertEquals(1, p.awaitStat("http.web.downstream_cx_idle_timeout", 1));
        }
        try (ProxyHarness p = proxy("idle_timeout: 250ms", "")) {
            // A response dripping for 1.2 s outlives several idle periods without being cut.
            answerThenIdleClose(p, "/drip", "HTTP/1.1 200 ", "xxxxxxxxxxxx");
            assertEquals(1, p.awaitStat("http.web.downstream_cx_idle_timeout", 1));
        }
    }

    /** {@code path}'s answer on a fresh connection, then how long (ms) the quiet connection stayed open. */
    private static long answerThenIdleClose(ProxyHarness p, String path, String start, String end) throws Exception {
        try (Socket s = new Socket("127.0.0.1", p.port)) {
            s.setSoTimeout(4000);
            s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            String response = ProxyHarness.readResponse(s.getInputStream());
            assertTrue(response.startsWith(start) && response.endsWith(end), response);
            long t0 = System.nanoTime();
            assertEquals(-1, s.getInputStream().read(), "the quiet connection is closed");
            return (System.nanoTime() - t0) / 1_000_000;
        }
    }

    @Test
    void maxConnectionDurationClosesIdleAndDrainsBusyConnections() throws Exception {
        try (ProxyHarness p = proxy("max_connection_duration: 400ms", "")) {
            try (Socket s = new Socket("127.0.0.1", p.port)) {
                s.setSoTimeout(3000);
                OutputStream out = s.getOutputStream();
                InputStream in = s.getInputStream();
                out.write("GET /ok HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                assertTrue(ProxyHarness.readResponse(in).startsWith("HTTP/1.1 200 "));
                long t0 = System.nanoTime();
                assertEquals(-1, in.read(), "an idle connection is closed when its time is up");
                assertTrue(System.nanoTime() - t0 < 2_000_000_000L);
            }
            try (Socket s = new Socket("127.0.0.1", p.port)) {
                s.setSoTimeout(3000);
                s.getOutputStream().write("GET /silent/800 HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                String r = ProxyHarness.readResponse(s.getInputStream());
                assertTrue(r.startsWith("HTTP/1.1 200 ") && r.toLowerCase().contains("connection: close"), "finished, then closed: " + r);
                assertEquals(-1, s.getInputStream().read());
            }
            assertEquals(2, p.awaitStat("http.web.downstream_cx_max_duration_reached", 2));
        }
    }

    @Test
    void perTryIdleTimeoutRetriesASilentUpstreamAndCutsAStalledOne() throws Exception {
        try (ProxyHarness p = proxy("", """
                - match: {prefix: "/try/"}
                  route: {cluster: up, prefix_rewrite: "/", retry_policy: {retry_on: "5xx", num_retries: 1, per_try_idle_timeout: 300ms}}
                """)) {
            long t0 = System.nanoTime();
            String r = get(p, "/try/silent/3000");
            assertTrue(r.startsWith("HTTP/1.1 504 "), r);
            assertTrue(System.nanoTime() - t0 < 2_000_000_000L, "two tries of 300 ms, not the upstream's 3 s");
            assertEquals(2, p.awaitStat("cluster.up.upstream_rq_per_try_idle_timeout", 2));
            assertEquals(1, p.stat("cluster.up.upstream_rq_retry"));
            String stalled = get(p, "/try/stall");
            assertTrue(stalled.startsWith("HTTP/1.1 200 ") && stalled.endsWith("hello"), stalled);
            assertEquals(3, p.awaitStat("cluster.up.upstream_rq_per_try_idle_timeout", 3));
            assertTrue(get(p, "/try/drip").endsWith("xxxxxxxxxxxx"), "bytes every 100 ms are not idle");
            assertFalse(p.stat("cluster.up.upstream_rq_per_try_idle_timeout") > 3);
        }
    }
}
