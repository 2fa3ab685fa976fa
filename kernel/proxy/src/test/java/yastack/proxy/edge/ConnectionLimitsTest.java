package yastack.proxy.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import yastack.proxy.fixtures.ProxyHarness;

/**
 * Per-listener max_connections and the overload manager's global
 * max_active_downstream_connections: the connection beyond is accepted and closed at once,
 * counted; when one closes there is room again. And per_connection_buffer_limit_bytes: a
 * client that reads nothing makes the proxy stop reading the upstream near the limit.
 */
class ConnectionLimitsTest extends OneUpstream {
    /** Whether a request on a new connection is answered (else the proxy closed it at once). */
    static boolean served(int port) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(3000);
            s.getOutputStream().write("GET /x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            try {
                byte[] head = s.getInputStream().readNBytes(12);
                return new String(head, StandardCharsets.ISO_8859_1).startsWith("HTTP/1.1 200");
            } catch (IOException reset) {
                return false;
            }
        }
    }

    static Socket held(int port) throws Exception {
        Socket s = new Socket("127.0.0.1", port);
        // A request answered shows the connection was admitted (not just queued by the kernel).
        s.getOutputStream().write("GET /x HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        s.setSoTimeout(3000);
        assertTrue(ProxyHarness.readResponse(s.getInputStream()).startsWith("HTTP/1.1 200 "));
        return s;
    }

    @Test
    void aListenerBeyondItsMaxConnectionsClosesNewOnes() throws Exception {
        try (ProxyHarness p = new ProxyHarness("""
                listeners:
                  - name: web
                    address: 127.0.0.1
                    port: ${PORT}
                    max_connections: 2
                    http:
                      route_config:
                        virtual_hosts: [{name: all, domains: ["*"], routes: [{match: {prefix: "/"}, route: {cluster: up}}]}]
                clusters:
                  - {name: up, endpoints: [{address: 127.0.0.1, port: %d}]}
                """.formatted(up.port()), 2)) {
            Socket a = held(p.port), b = held(p.port);
            assertTrue(!served(p.port), "the third is closed");
            assertEquals(1, p.awaitStat("listener.web.downstream_cx_overflow", 1));
            a.close();
            b.close();
            Thread.sleep(200);
            assertTrue(served(p.port), "room again once they closed");
        }
    }

    @Test
    void theGlobalLimitCountsEveryListener() throws Exception {
        int second = ProxyHarness.freePort();
        try (ProxyHarness p = new ProxyHarness("""
                overload_manager: {max_active_downstream_connections: 2}
                listeners:
                  - name: web
                    address: 127.0.0.1
                    port: ${PORT}
                    http:
                      route_config:
                        virtual_hosts: [{name: all, domains: ["*"], routes: [{match: {prefix: "/"}, route: {cluster: up}}]}]
                  - name: other
                    address: 127.0.0.1
                    port: %d
                    http:
                      route_config:
                        virtual_hosts: [{name: all, domains: ["*"], routes: [{match: {prefix: "/"}, route: {cluster: up}}]}]
                clusters:
                  - {name: up, endpoints: [{address: 127.0.0.1, port: %d}]}
                """.formatted(second, up.port()), 2)) {
            try (Socket a = held(p.port); Socket b = held(p.port)) {
                assertTrue(!served(second));
                assertEquals(1, p.awaitStat("listener.other.downstream_global_cx_overflow", 1));
                assertEquals(2, p.stat("overload.downstream_cx_active"));
            }
            Thread.sleep(200);
            assertTrue(served(second));
        }
    }

    @Test
    void aClientThatDoesNotReadHoldsNoMoreThanTheBufferLimit() throws Exception {
        int limit = 32 * 1024;
        try (ProxyHarness p = new ProxyHarness("""
                listeners:
                  - name: web
                    address: 127.0.0.1
                    port: ${PORT}
                    per_connection_buffer_limit_bytes: %d
                    http:
                      route_config:
                        virtual_hosts: [{name: all, domains: ["*"], routes: [{match: {prefix: "/"}, route: {cluster: up}}]}]
                clusters:
                  - {name: up, endpoints: [{address: 127.0.0.1, port: %d}]}
                """.formatted(limit, up.port()), 1);
             Socket s = new Socket()) {
            s.setReceiveBufferSize(8 * 1024);
            s.connect(new InetSocketAddress("127.0.0.1", p.port));
            long size = 256L * 1024 * 1024;
            s.getOutputStream().write(("GET /bytes/" + size + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            // Reading nothing, the kernel buffers fill and then the proxy's: sample what it holds.
            long most = 0;
            for (int i = 0; i < 40; i++) {
                Thread.sleep(25);
                most = Math.max(most, p.stat("listener.web.downstream_cx_tx_bytes_buffered"));
            }
            assertTrue(most >= limit / 2, "the proxy buffered up to its limit: " + most);
            // One upstream read (at most 64 KiB) may land after the limit is crossed, before reading stops.
            assertTrue(most <= limit + 80 * 1024, "and stopped there: " + most);
            InputStream in = s.getInputStream();
            long total = 0;
            byte[] buf = new byte[256 * 1024];
            int r;
            while ((r = in.read(buf)) > 0) total += r;
            assertTrue(total > size, "then the whole body flows: " + total);
        }
    }
}
