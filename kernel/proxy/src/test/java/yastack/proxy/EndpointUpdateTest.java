package yastack.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import yastack.config.ConfigLoader;
import yastack.proxy.fixtures.ProxyHarness;

/**
 * A reload that changes only a cluster's endpoints (what EDS does all day) costs nothing:
 * pooled connections to the endpoints that stay move to the new version of the cluster,
 * requests in flight finish, and only removed endpoints lose their connections.
 */
class EndpointUpdateTest {
    private KeepAliveUpstream a;
    private KeepAliveUpstream b;
    private ProxyHarness proxy;

    @BeforeEach
    void start() throws Exception {
        a = new KeepAliveUpstream("a");
        b = new KeepAliveUpstream("b");
        proxy = new ProxyHarness(config(a), 1);
    }

    @AfterEach
    void stop() throws Exception {
        proxy.close();
        a.close();
        b.close();
    }

    private static String config(KeepAliveUpstream... endpoints) {
        StringBuilder eps = new StringBuilder();
        for (KeepAliveUpstream u : endpoints) eps.append(eps.isEmpty() ? "" : ", ").append("{address: 127.0.0.1, port: ").append(u.port()).append('}');
        return ProxyHarness.singleRoute("", 1).replace("endpoints: [{address: 127.0.0.1, port: 1}]", "endpoints: [" + eps + "]");
    }

    private void reload(KeepAliveUpstream... endpoints) throws Exception {
        proxy.engine.proxy().reload(ConfigLoader.parse(config(endpoints).replace("${PORT}", Integer.toString(proxy.port)),
                Path.of(".")).bootstrap());
    }

    private void requests(int n, String path) throws Exception {
        for (int i = 0; i < n; i++) assertEquals(200, proxy.get(path).statusCode());
    }

    @Test
    void pooledConnectionsToKeptEndpointsSurviveAnEndpointChange() throws Exception {
        requests(5, "/");
        assertEquals(1, a.accepted.get(), "one pooled connection to a");
        reload(a, b);
        requests(10, "/");
        assertEquals(1, a.accepted.get(), "the pooled connection to a moved to the new cluster version");
        assertEquals(1, b.accepted.get());
        assertEquals(10, a.served.get() + b.served.get() - 5);
        reload(b);
        requests(5, "/");
        assertEquals(1, b.accepted.get(), "b's pooled connection survived a's removal");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (a.closedByPeer.get() == 0 && System.nanoTime() < deadline) Thread.sleep(10);
        assertEquals(1, a.closedByPeer.get(), "the proxy closed its connection to the removed endpoint");
        assertEquals(0, proxy.stat("cluster.up.upstream_rq_5xx"));
    }

    @Test
    void aRequestInFlightFinishesAcrossTheChange() throws Exception {
        CompletableFuture<HttpResponse<String>> slow = CompletableFuture.supplyAsync(() -> {
            try {
                return proxy.get("/slow");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        while (a.served.get() == 0 && a.inFlight.get() == 0) Thread.sleep(5);
        reload(b);
        HttpResponse<String> r = slow.get(10, TimeUnit.SECONDS);
        assertEquals(200, r.statusCode());
        assertEquals("a", r.body());
        requests(3, "/");
        assertEquals(3, b.served.get());
    }

    /** Keep-alive HTTP/1.1 that counts connections; {@code /slow} answers after 500 ms. */
    static final class KeepAliveUpstream implements AutoCloseable {
        final String name;
        final ServerSocket socket = new ServerSocket(0, 64, InetAddress.getLoopbackAddress());
        final AtomicInteger accepted = new AtomicInteger();
        final AtomicInteger served = new AtomicInteger();
        final AtomicInteger inFlight = new AtomicInteger();
        final AtomicInteger closedByPeer = new AtomicInteger();
        private final AtomicInteger open = new AtomicInteger();

        KeepAliveUpstream(String name) throws IOException {
            this.name = name;
            Thread.ofPlatform().daemon().name("upstream-" + name).start(() -> {
                while (!socket.isClosed()) {
                    try {
                        Socket s = socket.accept();
                        accepted.incrementAndGet();
                        Thread.ofVirtual().start(() -> serve(s));
                    } catch (IOException closed) {
                        return;
                    }
                }
            });
        }

        int port() {
            return socket.getLocalPort();
        }

        int open() {
            return open.get();
        }

        private void serve(Socket s) {
            open.incrementAndGet();
            try (s) {
                s.setSoTimeout(30_000);
                InputStream in = s.getInputStream();
                OutputStream out = s.getOutputStream();
                String head;
                while ((head = readHead(in)) != null) {
                    inFlight.incrementAndGet();
                    if (head.startsWith("GET /slow")) Thread.sleep(500);
                    byte[] body = name.getBytes(StandardCharsets.US_ASCII);
                    out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.write(body);
                    out.flush();
                    served.incrementAndGet();
                    inFlight.decrementAndGet();
                }
                closedByPeer.incrementAndGet();
            } catch (IOException | InterruptedException e) {
                // the test is over
            } finally {
                open.decrementAndGet();
            }
        }

        /** A request head (no bodies here), or null at the end of the connection. */
        private static String readHead(InputStream in) throws IOException {
            StringBuilder sb = new StringBuilder();
            int c;
            while ((c = in.read()) >= 0) {
                sb.append((char) c);
                if (sb.length() >= 4 && sb.substring(sb.length() - 4).equals("\r\n\r\n")) return sb.toString();
            }
            return null;
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
