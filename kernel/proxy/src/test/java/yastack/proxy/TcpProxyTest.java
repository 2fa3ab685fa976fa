package yastack.proxy;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import yastack.proxy.fixtures.ProxyHarness;

/** The L4 proxy: bytes both ways, large transfers, half-close passed through. */
class TcpProxyTest {
    static ServerSocket upstream;
    static Thread acceptor;
    static ProxyHarness proxy;

    /** Upstream: reads until EOF, then answers "got N bytes" plus a checksum, then closes. */
    @BeforeAll
    static void start() throws Exception {
        upstream = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        acceptor = Thread.ofVirtual().start(() -> {
            while (!upstream.isClosed()) {
                try {
                    Socket s = upstream.accept();
                    Thread.ofVirtual().start(() -> serve(s));
                } catch (Exception e) {
                    return;
                }
            }
        });
        proxy = new ProxyHarness(config(""), 2);
    }

    /** An L4 listener in front of the echo upstream; {@code clusterExtra}: more of the cluster's fields. */
    private static String config(String clusterExtra) {
        return """
                listeners:
                  - name: l4
                    address: 127.0.0.1
                    port: ${PORT}
                    tcp: {cluster: echo}
                clusters:
                  - {name: echo, %sendpoints: [{address: 127.0.0.1, port: %d}]}
                """.formatted(clusterExtra, upstream.getLocalPort());
    }

    private static void serve(Socket s) {
        try (s) {
            InputStream in = s.getInputStream();
            byte[] buf = new byte[65536];
            long n = 0;
            long sum = 0;
            int r;
            while ((r = in.read(buf)) > 0) {
                for (int i = 0; i < r; i++) sum = sum * 31 + buf[i];
                n += r;
            }
            s.getOutputStream().write(("got " + n + " bytes sum " + sum).getBytes(StandardCharsets.UTF_8));
        } catch (Exception ignored) {
            // test upstream
        }
    }

    @AfterAll
    static void stop() throws Exception {
        proxy.close();
        upstream.close();
    }

    private static final String L4 = "tcp.l4.";

    @Test
    void halfCloseCarriesTheAnswerBack() throws Exception {
        long connections = proxy.stat(L4 + "downstream_cx_total");
        long upstreamConnections = proxy.stat("cluster.echo.upstream_cx_total");
        long rx = proxy.stat(L4 + "downstream_cx_rx_bytes_total");
        long tx = proxy.stat(L4 + "downstream_cx_tx_bytes_total");
        byte[] data = new byte[8 * 1024 * 1024];
        new Random(7).nextBytes(data);
        long sum = 0;
        for (byte b : data) sum = sum * 31 + b;
        String expected = "got " + data.length + " bytes sum " + sum;
        try (Socket c = new Socket("127.0.0.1", proxy.port)) {
            c.setSoTimeout(20_000);
            OutputStream out = c.getOutputStream();
            out.write(data);
            assertEquals(1, proxy.awaitStatValue(L4 + "downstream_cx_active", 1), "open while the client still sends");
            c.shutdownOutput();
            String answer = new String(c.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(expected, answer);
        }
        // one connection each side, every byte counted once each way, and nothing left open
        assertEquals(connections + 1, proxy.awaitStatValue(L4 + "downstream_cx_total", connections + 1));
        assertEquals(upstreamConnections + 1, proxy.awaitStatValue("cluster.echo.upstream_cx_total", upstreamConnections + 1));
        assertEquals(rx + data.length, proxy.awaitStatValue(L4 + "downstream_cx_rx_bytes_total", rx + data.length));
        assertEquals(tx + expected.length(), proxy.awaitStatValue(L4 + "downstream_cx_tx_bytes_total", tx + expected.length()));
        assertEquals(0, proxy.awaitStatValue(L4 + "downstream_cx_active", 0), "the proxied connection is closed on both sides");
    }

    @Test
    void manyConnections() throws Exception {
        long connections = proxy.stat(L4 + "downstream_cx_total");
        long rx = proxy.stat(L4 + "downstream_cx_rx_bytes_total");
        for (int i = 0; i < 50; i++) {
            try (Socket c = new Socket("127.0.0.1", proxy.port)) {
                c.setSoTimeout(10_000);
                c.getOutputStream().write(new byte[] {1, 2, 3});
                c.shutdownOutput();
                assertArrayEquals(("got 3 bytes sum " + ((1 * 31 + 2) * 31 + 3)).getBytes(StandardCharsets.UTF_8),
                        c.getInputStream().readAllBytes());
            }
        }
        assertEquals(connections + 50, proxy.awaitStatValue(L4 + "downstream_cx_total", connections + 50));
        assertEquals(rx + 150, proxy.awaitStatValue(L4 + "downstream_cx_rx_bytes_total", rx + 150));
        assertEquals(0, proxy.awaitStatValue(L4 + "downstream_cx_active", 0));
    }

    /** As Envoy's TCP proxy: past the cluster's max_connections a new connection is closed, counted, and the slot comes back. */
    @Test
    void maxConnectionsClosesTheConnectionBeyondIt() throws Exception {
        try (ProxyHarness limited = new ProxyHarness(config("circuit_breakers: {max_connections: 1}, "), 2);
             Socket first = new Socket("127.0.0.1", limited.port)) {
            first.setSoTimeout(10_000);
            first.getOutputStream().write(new byte[] {5});
            limited.awaitStat("cluster.echo.upstream_cx_active", 1);
            try (Socket second = new Socket("127.0.0.1", limited.port)) {
                second.setSoTimeout(10_000);
                assertEquals(-1, second.getInputStream().read(), "closed: the one connection is taken");
            }
            assertEquals(1, limited.awaitStat("cluster.echo.upstream_cx_overflow", 1));
            first.shutdownOutput();
            assertArrayEquals("got 1 bytes sum 5".getBytes(StandardCharsets.UTF_8), first.getInputStream().readAllBytes());
            assertEquals(0, limited.awaitStatValue("cluster.echo.upstream_cx_active", 0));
            try (Socket third = new Socket("127.0.0.1", limited.port)) {
                third.setSoTimeout(10_000);
                third.getOutputStream().write(new byte[] {7});
                third.shutdownOutput();
                assertArrayEquals("got 1 bytes sum 7".getBytes(StandardCharsets.UTF_8), third.getInputStream().readAllBytes());
            }
            assertEquals(1, limited.stat("cluster.echo.upstream_cx_overflow"));
        }
    }
}
