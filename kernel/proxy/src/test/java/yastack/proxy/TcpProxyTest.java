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
        proxy = new ProxyHarness("""
                listeners:
                  - name: l4
                    address: 127.0.0.1
                    port: ${PORT}
                    tcp: {cluster: echo}
                clusters:
                  - {name: echo, endpoints: [{address: 127.0.0.1, port: %d}]}
                """.formatted(upstream.getLocalPort()), 2);
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

    @Test
    void halfCloseCarriesTheAnswerBack() throws Exception {
        byte[] data = new byte[8 * 1024 * 1024];
        new Random(7).nextBytes(data);
        long sum = 0;
        for (byte b : data) sum = sum * 31 + b;
        try (Socket c = new Socket("127.0.0.1", proxy.port)) {
            c.setSoTimeout(20_000);
            OutputStream out = c.getOutputStream();
            out.write(data);
            c.shutdownOutput();
            String answer = new String(c.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals("got " + data.length + " bytes sum " + sum, answer);
        }
        assertEquals(1, proxy.awaitStat("tcp.l4.downstream_cx_total", 1) >= 1 ? 1 : 0);
    }

    @Test
    void manyConnections() throws Exception {
        for (int i = 0; i < 50; i++) {
            try (Socket c = new Socket("127.0.0.1", proxy.port)) {
                c.setSoTimeout(10_000);
                c.getOutputStream().write(new byte[] {1, 2, 3});
                c.shutdownOutput();
                assertArrayEquals(("got 3 bytes sum " + ((1 * 31 + 2) * 31 + 3)).getBytes(StandardCharsets.UTF_8),
                        c.getInputStream().readAllBytes());
            }
        }
    }
}
