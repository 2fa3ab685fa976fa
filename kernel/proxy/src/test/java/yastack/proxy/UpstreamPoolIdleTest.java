package yastack.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import yastack.proxy.fixtures.ProxyHarness;

/**
 * A cluster's {@code idle_timeout}: a pooled upstream connection that waits that long for its
 * next request is closed by the proxy, one that is reused in time is kept, and one busy with
 * a slow response is not cut however long the response takes.
 */
class UpstreamPoolIdleTest {
    static ServerSocket upstream;
    static final AtomicInteger accepted = new AtomicInteger();
    static final AtomicInteger closedByProxy = new AtomicInteger();
    static ProxyHarness proxy;

    @BeforeAll
    static void start() throws Exception {
        upstream = new ServerSocket(0, 64, InetAddress.getLoopbackAddress());
        Thread.ofPlatform().daemon().name("keep-alive-upstream").start(() -> {
            while (!upstream.isClosed()) {
                try {
                    Socket s = upstream.accept();
                    accepted.incrementAndGet();
                    Thread.ofVirtual().start(() -> serve(s));
                } catch (IOException closed) {
                    return;
                }
            }
        });
        proxy = new ProxyHarness(ProxyHarness.singleRoute("", upstream.getLocalPort())
                .replace("{name: up, endpoints:", "{name: up, idle_timeout: 300ms, endpoints:"), 1);
    }

    /** Answers requests on one connection until the proxy closes it; /slow after 900 ms. */
    private static void serve(Socket s) {
        try (s) {
            s.setSoTimeout(30_000);
            InputStream in = s.getInputStream();
            while (true) {
                String head = readHead(in);
                if (head == null) {
                    closedByProxy.incrementAndGet();
                    return;
                }
                if (head.startsWith("GET /slow ")) Thread.sleep(900);
                s.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
            }
        } catch (Exception ignored) {
            // the test is over
        }
    }

    private static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) return null;
            head.append((char) b);
            matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString();
    }

    @AfterAll
    static void stop() throws IOException {
        if (proxy != null) proxy.close();
        upstream.close();
    }

    @Test
    void reusedInTimeKeptBusyNeverCutIdleClosed() throws Exception {
        int before = accepted.get();
        assertEquals(200, proxy.get("/a").statusCode());
        Thread.sleep(100);
        assertEquals(200, proxy.get("/b").statusCode());
        assertEquals(before + 1, accepted.get(), "a connection reused within the idle timeout");

        assertEquals(200, proxy.get("/slow").statusCode(), "a response slower than the idle timeout arrives whole");
        assertEquals(before + 1, accepted.get());
        assertEquals(0, closedByProxy.get(), "nothing was closed while busy");

        assertEquals(0, proxy.awaitStatValue("cluster.up.upstream_cx_active", 0), "the pool closes it once idle");
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (closedByProxy.get() == 0 && System.nanoTime() < deadline) Thread.sleep(10);
        assertEquals(1, closedByProxy.get(), "the upstream saw the proxy close it");

        assertEquals(200, proxy.get("/c").statusCode(), "the next request opens a new connection");
        assertEquals(before + 2, accepted.get());
    }
}
