package yastack.proxy.edge;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import yastack.proxy.fixtures.ProxyHarness;

/**
 * A client that closes politely (FIN) while the proxy has stopped reading it, because the
 * upstream stopped taking the request body: the proxy notices when the FIN arrives, as nginx
 * does through EPOLLRDHUP, and ends the exchange then, not when the route timeout fires.
 */
class ClientCloseWhilePausedTest {
    private static final long ROUTE_TIMEOUT_S = 60;

    @Test
    void aFinBehindPausedReadingEndsTheExchangeAtOnce() throws Exception {
        try (var up = new ScriptedUpstream((head, out) -> Thread.sleep(TimeUnit.SECONDS.toMillis(ROUTE_TIMEOUT_S)));
                var proxy = new ProxyHarness(ProxyHarness.listenerWithRoutes("", """
                        - match: {prefix: "/"}
                          route: {cluster: up, timeout: %ds}
                        """.formatted(ROUTE_TIMEOUT_S)) + "clusters:\n  - {name: up, endpoints: [{address: 127.0.0.1, port: "
                        + up.port() + "}]}\n", 1);
                var client = SocketChannel.open(new InetSocketAddress("127.0.0.1", proxy.port))) {
            client.write(ByteBuffer.wrap("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000000\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII)));
            client.configureBlocking(false);
            sendUntilTheProxyStopsReading(client, proxy.port);

            long t0 = System.nanoTime();
            client.shutdownOutput();
            assertTrue(awaitEnd(client, 10_000), "the proxy closed the connection after the client's FIN");
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertTrue(ms < 5_000, "noticed after " + ms + " ms, not at the route timeout");
            proxy.awaitStat("http.web.downstream_cx_destroy_active_rq", 1);
        }
    }

    /**
     * Body bytes until the proxy's socket holds some it has not read, and keeps them: it paused
     * reading, with room left in its receive window for the FIN (which a client that filled the
     * window could not send, to us or to nginx).
     */
    private static void sendUntilTheProxyStopsReading(SocketChannel client, int proxyPort) throws Exception {
        int clientPort = ((InetSocketAddress) client.getLocalAddress()).getPort();
        ByteBuffer chunk = ByteBuffer.allocate(256 * 1024);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        for (long sent = 0; System.nanoTime() < deadline && sent < 512L << 20; ) {
            chunk.clear();
            sent += client.write(chunk);
            Thread.sleep(50);
            long queued = unreadAtProxy(proxyPort, clientPort);
            if (queued > 0) {
                Thread.sleep(300);
                if (unreadAtProxy(proxyPort, clientPort) >= queued) return;
            }
        }
        fail("the proxy kept reading the body of a request its upstream does not read");
    }

    /** Recv-Q of the proxy's end of the connection, from the kernel ({@code ss}). */
    private static long unreadAtProxy(int proxyPort, int clientPort) throws IOException, InterruptedException {
        Process ss = new ProcessBuilder("ss", "-tnH", "state", "established",
                "( sport = :" + proxyPort + " and dport = :" + clientPort + " )").redirectErrorStream(true).start();
        String out = new String(ss.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
        ss.waitFor();
        return out.isEmpty() ? -1 : Long.parseLong(out.split("\\s+")[0]);
    }

    /** Whether the proxy ends the connection (end of stream or reset) within {@code ms}. */
    private static boolean awaitEnd(SocketChannel client, long ms) throws InterruptedException {
        ByteBuffer sink = ByteBuffer.allocate(4096);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
        while (System.nanoTime() < deadline) {
            try {
                sink.clear();
                if (client.read(sink) < 0) return true;
            } catch (IOException reset) {
                return true;
            }
            Thread.sleep(10);
        }
        return false;
    }
}
