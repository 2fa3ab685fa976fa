package yastack.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import yastack.kernel.fixtures.Needs;
import yastack.proxy.fixtures.ProxyHarness;
import yastack.proxy.fixtures.TestPki;
import yastack.proxy.fixtures.TestUpstream;

/**
 * A drain as the proxy does it: HTTP/1 responses carry Connection: close, HTTP/2 connections
 * get GOAWAY and close behind their streams, TCP connections finish, closed listeners refuse,
 * and what is left can be cut.
 */
class ConnectionDrainTest {
    private static final String GET = "GET /x HTTP/1.1\r\nHost: a\r\n\r\n";

    @TempDir
    Path dir;
    TestUpstream upstream;
    ServerSocket tcpUpstream;
    ProxyHarness proxy;
    int tcpPort;

    @BeforeEach
    void start() throws Exception {
        upstream = new TestUpstream("up");
        // L4 upstream: holds each connection until the client closes it.
        tcpUpstream = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> {
            while (!tcpUpstream.isClosed()) {
                try {
                    Socket s = tcpUpstream.accept();
                    Thread.ofVirtual().start(() -> {
                        try (s) {
                            s.getInputStream().transferTo(s.getOutputStream());
                        } catch (IOException ignored) {
                            // the test closed it
                        }
                    });
                } catch (IOException e) {
                    return;
                }
            }
        });
        tcpPort = ProxyHarness.freePort();
        TestPki pki = new TestPki(dir);
        pki.issue("proxy", "localhost");
        proxy = new ProxyHarness("""
                listeners:
                  - name: web
                    address: 127.0.0.1
                    port: ${PORT}
                    http:
                      route_config:
                        virtual_hosts: [{name: all, domains: ["*"], routes: [{match: {prefix: "/"}, route: {cluster: up}}]}]
                  - name: l4
                    address: 127.0.0.1
                    port: %d
                    tcp: {cluster: echo}
                  - name: h2
                    address: 127.0.0.1
                    port: %d
                    tls: {certificates: [{cert: %s, key: %s}], alpn: [h2]}
                    http:
                      route_config:
                        virtual_hosts: [{name: all, domains: ["*"], routes: [{match: {prefix: "/"}, route: {cluster: up}}]}]
                clusters:
                  - {name: up, endpoints: [{address: 127.0.0.1, port: %d}]}
                  - {name: echo, endpoints: [{address: 127.0.0.1, port: %d}]}
                """.formatted(tcpPort, h2Port = ProxyHarness.freePort(), pki.path("proxy.pem"), pki.path("proxy.key"),
                upstream.port(), tcpUpstream.getLocalPort()), 2);
    }

    int h2Port;

    @AfterEach
    void stop() throws Exception {
        proxy.close();
        upstream.close();
        tcpUpstream.close();
    }

    private ProxyServer server() {
        return proxy.engine.proxy();
    }

    @Test
    void http1ResponsesCarryConnectionCloseWhileListenersStillAccept() throws Exception {
        try (Socket s = new Socket("127.0.0.1", proxy.port)) {
            s.setSoTimeout(5000);
            s.getOutputStream().write(GET.getBytes(StandardCharsets.US_ASCII));
            String first = ProxyHarness.readResponse(s.getInputStream());
            assertFalse(first.toLowerCase().contains("connection: close"), first);

            server().drainConnections(true);
            s.getOutputStream().write(GET.getBytes(StandardCharsets.US_ASCII));
            String second = ProxyHarness.readResponse(s.getInputStream());
            assertTrue(second.startsWith("HTTP/1.1 200"), second);
            assertTrue(second.toLowerCase().contains("connection: close"), second);
            assertEquals(-1, s.getInputStream().read(), "the connection closes after the response");
        }
        // Still accepting: a new connection is served, and told to close too.
        String fresh = proxy.raw(GET, 5000);
        assertTrue(fresh.startsWith("HTTP/1.1 200") && fresh.toLowerCase().contains("connection: close"), fresh);

        server().drainConnections(false); // /healthcheck/ok: keep-alive again
        String after = proxy.raw("GET /x HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", 5000);
        try (Socket s = new Socket("127.0.0.1", proxy.port)) {
            s.setSoTimeout(5000);
            s.getOutputStream().write(GET.getBytes(StandardCharsets.US_ASCII));
            String r = ProxyHarness.readResponse(s.getInputStream());
            assertFalse(r.toLowerCase().contains("connection: close"), r);
        }
        assertTrue(after.startsWith("HTTP/1.1 200"), after);
    }

    @Test
    void closedListenersRefuseWhileInFlightWorkFinishesAndIdleConnectionsClose() throws Exception {
        Socket idle = new Socket("127.0.0.1", proxy.port);
        idle.setSoTimeout(5000);
        idle.getOutputStream().write(GET.getBytes(StandardCharsets.US_ASCII));
        ProxyHarness.readResponse(idle.getInputStream());

        Socket slow = new Socket("127.0.0.1", proxy.port);
        slow.setSoTimeout(10_000);
        slow.getOutputStream().write("GET /delay/1500 HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        CompletableFuture<String> slowAnswer = CompletableFuture.supplyAsync(() -> {
            try {
                return ProxyHarness.readResponse(slow.getInputStream());
            } catch (IOException e) {
                return "failed: " + e;
            }
        });
        Thread.sleep(300); // the slow request is at the upstream

        server().drainConnections(true);
        server().closeListeners();
        assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", proxy.port).close());
        assertEquals(-1, idle.getInputStream().read(), "an idle keep-alive connection closes with the listeners");
        String answer = slowAnswer.get(10, TimeUnit.SECONDS);
        assertTrue(answer.startsWith("HTTP/1.1 200") && answer.contains("up delayed"), answer);
        assertTrue(answer.toLowerCase().contains("connection: close"), answer);
        assertEquals(-1, slow.getInputStream().read());
        awaitOpen(0);
        idle.close();
        slow.close();
    }

    @Test
    void aConnectionAcceptedBeforeTheListenersClosedStillGetsItsFirstRequestAnswered() throws Exception {
        // Accepted, its request not sent yet (or not read yet) when the listeners close: a
        // client does not retry a request reset on a fresh connection, so it is answered.
        Socket fresh = new Socket("127.0.0.1", proxy.port);
        fresh.setSoTimeout(5000);
        Socket silent = new Socket("127.0.0.1", proxy.port);
        silent.setSoTimeout(5000);
        awaitOpen(2);

        server().drainConnections(true);
        server().closeListeners();
        Thread.sleep(200); // the close-if-idle has gone round the workers
        fresh.getOutputStream().write(GET.getBytes(StandardCharsets.US_ASCII));
        String answer = ProxyHarness.readResponse(fresh.getInputStream());
        assertTrue(answer.startsWith("HTTP/1.1 200") && answer.toLowerCase().contains("connection: close"), answer);
        assertEquals(-1, fresh.getInputStream().read(), "closed after that response");

        long t0 = System.nanoTime();
        assertEquals(-1, silent.getInputStream().read(), "one that sends nothing closes after the grace");
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(3));
        awaitOpen(0);
        fresh.close();
        silent.close();
    }

    @Test
    void tcpConnectionsFinishOnTheirOwnOrAreCut() throws Exception {
        try (Socket s = new Socket("127.0.0.1", tcpPort)) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            out.write("ping".getBytes(StandardCharsets.US_ASCII));
            assertEquals("ping", new String(in.readNBytes(4), StandardCharsets.US_ASCII));

            server().drainConnections(true);
            server().closeListeners();
            // Still relaying after the listeners closed.
            out.write("pong".getBytes(StandardCharsets.US_ASCII));
            assertEquals("pong", new String(in.readNBytes(4), StandardCharsets.US_ASCII));
            assertEquals(1, server().openConnections());

            assertEquals(1, server().cutConnections("test timeout"));
            assertEquals(-1, in.read());
        }
        awaitOpen(0);
    }

    @Test
    void http2ConnectionsGetGoAwayAndCloseBehindTheirStreams() throws Exception {
        Needs.commands("an HTTP/2 client that shows GOAWAY frames", "curl");
        Process p = new ProcessBuilder("curl", "-skv", "--http2", "https://localhost:" + h2Port + "/delay/2500")
                .redirectErrorStream(true).start();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return e.toString();
            }
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (proxy.stat("http.h2.downstream_rq_active") < 1 && System.nanoTime() < deadline) Thread.sleep(10);
        assertEquals(1, proxy.stat("http.h2.downstream_rq_active"), "nghttp's request did not arrive");
        server().drainConnections(true);
        assertTrue(p.waitFor(15, TimeUnit.SECONDS), "nghttp did not finish");
        String frames = out.get(5, TimeUnit.SECONDS);
        assertTrue(frames.contains("GOAWAY, error=0, last_stream=2147483647"), "first GOAWAY: any stream on its way:\n" + frames);
        assertTrue(frames.contains("GOAWAY, error=0, last_stream=1\n"), "second GOAWAY: the last stream is 1:\n" + frames);
        assertTrue(frames.contains("< HTTP/2 200") && frames.contains("up delayed"), "the stream in flight got its answer:\n" + frames);
        awaitOpen(0);
    }

    private void awaitOpen(int expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (server().openConnections() != expected && System.nanoTime() < deadline) Thread.sleep(10);
        assertEquals(expected, server().openConnections());
    }
}
