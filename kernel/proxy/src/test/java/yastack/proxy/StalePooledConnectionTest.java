package yastack.proxy;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import static org.junit.jupiter.api.Assertions.assertEquals;
import yastack.proxy.fixtures.ProxyHarness;

/**
 * The keep-alive race every proxy meets: the upstream closes an idle connection just as
 * the proxy reuses it (the JDK's server does this once it holds more idle connections than
 * it keeps). This upstream makes the race certain: it answers the first request on each
 * connection and resets the connection when a second one arrives.
 */
class StalePooledConnectionTest {
    static ServerSocket upstream;
    static final AtomicInteger accepted = new AtomicInteger();
    static ProxyHarness proxy;

    @BeforeAll
    static void start() throws Exception {
        upstream = new ServerSocket(0, 64, InetAddress.getLoopbackAddress());
        Thread.ofPlatform().daemon().name("one-request-upstream").start(() -> {
            while (!upstream.isClosed()) {
                try {
                    Socket s = upstream.accept();
                    accepted.incrementAndGet();
                    Thread.ofVirtual().start(() -> serveOneThenReset(s));
                } catch (IOException closed) {
                    return;
                }
            }
        });
        proxy = new ProxyHarness(ProxyHarness.singleRoute("", upstream.getLocalPort()), 1);
    }

    private static void serveOneThenReset(Socket s) {
        try (s) {
            s.setSoTimeout(30_000);
            InputStream in = s.getInputStream();
            readHead(in);
            // Slow enough that concurrent requests each open a connection of their own.
            Thread.sleep(300);
            s.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            in.read(); // the proxy reused the connection: drop it under the request
            s.setSoLinger(true, 0);
        } catch (Exception ignored) {
            // the proxy closed the connection first
        }
    }

    private static void readHead(InputStream in) throws IOException {
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) throw new IOException("closed");
            matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
    }

    @AfterAll
    static void stop() throws IOException {
        if (proxy != null) proxy.close();
        upstream.close();
    }

    @Test
    void idempotentRequestsRetryOnANewConnectionAndOthersGet502() throws Exception {
        // Three concurrent requests leave three pooled connections, each of which will reset.
        List<CompletableFuture<HttpResponse<String>>> warm = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            warm.add(proxy.client.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.port + "/w" + i))
                    .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString()));
        }
        for (var f : warm) assertEquals(200, f.get(20, TimeUnit.SECONDS).statusCode());
        assertEquals(3, accepted.get(), "three upstream connections");

        // A GET meets a stale pooled connection; its retry must not take another stale one.
        long retries = proxy.stat("cluster.up.upstream_rq_retry");
        HttpResponse<String> r = proxy.get("/again");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("ok", r.body());
        assertEquals(retries + 1, proxy.stat("cluster.up.upstream_rq_retry"));
        assertEquals(4, accepted.get(), "the retry opened a connection of its own");

        // A POST is not idempotent (RFC 9112 9.3.1): the reset reaches the client as a 502.
        long resets = proxy.stat("cluster.up.upstream_rq_rx_reset");
        HttpResponse<String> post = proxy.client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.port + "/post"))
                .timeout(Duration.ofSeconds(20)).POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(502, post.statusCode(), post.body());
        assertEquals(retries + 1, proxy.stat("cluster.up.upstream_rq_retry"), "no retry for POST");
        assertEquals(resets + 1, proxy.awaitStat("cluster.up.upstream_rq_rx_reset", resets + 1));
    }
}
