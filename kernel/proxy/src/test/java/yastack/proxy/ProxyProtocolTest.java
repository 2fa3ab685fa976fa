package yastack.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxyMessageEncoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import yastack.proxy.fixtures.ProxyHarness;
import yastack.proxy.fixtures.TestPki;
import yastack.proxy.fixtures.TestUpstream;

/**
 * listeners[].proxy_protocol: the client address comes from the PROXY header a load
 * balancer sends first (v1 from curl --haproxy-protocol, v2 built by Netty's encoder), on
 * HTTP, TLS and L4 listeners; a connection without the header is closed and counted.
 */
class ProxyProtocolTest {
    static TestUpstream up;
    static ProxyHarness proxy;
    static int tlsPort;
    static int tcpPort;
    static int sendV1Port;
    static int sendV2Port;
    static ServerSocket capture;
    static ServerSocket checked;
    static final LinkedBlockingQueue<byte[]> checks = new LinkedBlockingQueue<>();
    static final LinkedBlockingQueue<byte[]> captured = new LinkedBlockingQueue<>();
    static Path dir;
    static TestPki pki;

    @BeforeAll
    static void start() throws Exception {
        up = new TestUpstream("up");
        dir = Files.createTempDirectory("yastack-pp");
        pki = new TestPki(dir);
        pki.issue("a", "a.test");
        tlsPort = ProxyHarness.freePort();
        tcpPort = ProxyHarness.freePort();
        sendV1Port = ProxyHarness.freePort();
        sendV2Port = ProxyHarness.freePort();
        // A backend that only keeps the first 16 bytes of each connection (a v2 LOCAL header's size).
        checked = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> {
            while (!checked.isClosed()) {
                try (Socket s = checked.accept()) {
                    s.setSoTimeout(5000);
                    checks.add(s.getInputStream().readNBytes(16));
                } catch (Exception e) {
                    // next connection, or the test is over
                }
            }
        });
        // An upstream that keeps what each connection sent up to the end of its request head.
        capture = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> {
            while (!capture.isClosed()) {
                try (Socket s = capture.accept()) {
                    s.setSoTimeout(5000);
                    ByteArrayOutputStream got = new ByteArrayOutputStream();
                    InputStream in = s.getInputStream();
                    // (not just CRLF CRLF: a v2 header starts with those bytes)
                    while (!got.toString(StandardCharsets.ISO_8859_1).endsWith("Host: x\r\n\r\n")) {
                        int b = in.read();
                        if (b < 0) break;
                        got.write(b);
                    }
                    captured.add(got.toByteArray());
                } catch (Exception e) {
                    // next connection, or the test is over
                }
            }
        });
        proxy = new ProxyHarness("""
                listeners:
                  - name: web
                    address: 127.0.0.1
                    port: ${PORT}
                    proxy_protocol: true
                    http:
                      route_config:
                        virtual_hosts: [{name: all, domains: ["*"], routes: [{match: {prefix: "/"}, route: {cluster: up}}]}]
                  - name: secure
                    address: 127.0.0.1
                    port: %d
                    proxy_protocol: true
                    tls: {certificates: [{cert: %s, key: %s}]}
                    http:
                      route_config:
                        virtual_hosts: [{name: all, domains: ["*"], routes: [{match: {prefix: "/"}, route: {cluster: up}}]}]
                  - name: l4
                    address: 127.0.0.1
                    port: %d
                    proxy_protocol: true
                    tcp: {cluster: up}
                  - {name: send1, address: 127.0.0.1, port: %d, tcp: {cluster: pp1}}
                  - {name: send2, address: 127.0.0.1, port: %d, proxy_protocol: true, tcp: {cluster: pp2}}
                clusters:
                  - {name: up, endpoints: [{address: 127.0.0.1, port: %d}]}
                  - {name: pp1, proxy_protocol: {version: 1}, endpoints: [{address: 127.0.0.1, port: %d}]}
                  - {name: pp2, proxy_protocol: {version: 2}, endpoints: [{address: 127.0.0.1, port: %d}]}
                  - {name: ppcheck, proxy_protocol: {version: 2}, health_check: {interval: 200ms}, endpoints: [{address: 127.0.0.1, port: %d}]}
                """.formatted(tlsPort, pki.path("a.pem"), pki.path("a.key"), tcpPort, sendV1Port, sendV2Port, up.port(),
                capture.getLocalPort(), capture.getLocalPort(), checked.getLocalPort()), 1);
    }

    @AfterAll
    static void stop() throws IOException {
        if (proxy != null) proxy.close();
        capture.close();
        checked.close();
        up.close();
    }

    private static byte[] v2Header(String source, int sourcePort) {
        EmbeddedChannel ch = new EmbeddedChannel(HAProxyMessageEncoder.INSTANCE);
        ch.writeOutbound(new HAProxyMessage(HAProxyProtocolVersion.V2, HAProxyCommand.PROXY, HAProxyProxiedProtocol.TCP4,
                source, "127.0.0.1", sourcePort, 443));
        ByteBuf b = ch.readOutbound();
        byte[] bytes = new byte[b.readableBytes()];
        b.readBytes(bytes);
        b.release();
        ch.finishAndReleaseAll();
        return bytes;
    }

    private static String exchange(int port, byte[] header, String request) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            all.writeBytes(header);
            all.writeBytes(request.getBytes(StandardCharsets.US_ASCII));
            out.write(all.toByteArray()); // header and request in one segment, as balancers often send them
            out.flush();
            InputStream in = s.getInputStream();
            return ProxyHarness.readResponse(in);
        }
    }

    @Test
    void v1AndV2HeadersNameTheClient() throws Exception {
        String v1 = exchange(proxy.port, "PROXY TCP4 203.0.113.7 127.0.0.1 56324 80\r\n".getBytes(StandardCharsets.US_ASCII),
                "GET /who HTTP/1.1\r\nHost: x\r\n\r\n");
        assertTrue(v1.startsWith("HTTP/1.1 200") && v1.contains("h:x-forwarded-for=203.0.113.7"), v1);
        String v2 = exchange(proxy.port, v2Header("198.51.100.9", 40000), "GET /who HTTP/1.1\r\nHost: x\r\n\r\n");
        assertTrue(v2.startsWith("HTTP/1.1 200") && v2.contains("h:x-forwarded-for=198.51.100.9"), v2);
        // curl speaks v1 itself; its header names its own (loopback) address.
        String curl = pki.run("curl", "-sS", "--haproxy-protocol", "http://127.0.0.1:" + proxy.port + "/curl");
        assertTrue(curl.contains("h:x-forwarded-for=127.0.0.1"), curl);
    }

    /**
     * Found by {@link ProxyProtocolFuzzTest}: an IPv6 source with an IPv4 tail that is not
     * {@code ::ffff:} (inet_pton and HAProxy take it) was refused by Netty's v1 decoder.
     */
    @Test
    void aV1Ipv6SourceMayEndInDottedQuad() throws Exception {
        String r = exchange(proxy.port, "PROXY TCP6 2001:db8::192.0.2.11 2001:db8::1 40000 80\r\n".getBytes(StandardCharsets.US_ASCII),
                "GET /v6 HTTP/1.1\r\nHost: x\r\n\r\n");
        assertTrue(r.startsWith("HTTP/1.1 200") && r.contains("h:x-forwarded-for=2001:db8:0:0:0:0:c000:20b"), r);
    }

    @Test
    void theHeaderComesBeforeTls() throws Exception {
        String out = pki.run("curl", "-sS", "--haproxy-protocol", "--cacert", dir.resolve("ca.pem").toString(),
                "--resolve", "a.test:" + tlsPort + ":127.0.0.1", "https://a.test:" + tlsPort + "/tls");
        assertTrue(out.contains("uri=/tls") && out.contains("h:x-forwarded-for=127.0.0.1"), out);
    }

    @Test
    void l4ListenersReadTheHeaderThenRelay() throws Exception {
        String r = exchange(tcpPort, v2Header("192.0.2.44", 1234), "GET /l4 HTTP/1.1\r\nHost: x\r\n\r\n");
        assertTrue(r.startsWith("HTTP/1.1 200") && r.contains("uri=/l4"), r);
        assertTrue(!r.contains("PROXY"), "the header is not relayed upstream: " + r);
    }

    @Test
    void aConnectionWithoutTheHeaderIsClosedAndCounted() throws Exception {
        long before = proxy.stat("listener.web.downstream_cx_proxy_proto_error");
        String answer = proxy.raw("GET / HTTP/1.1\r\nHost: x\r\n\r\n", 5000);
        assertTrue(answer.isEmpty() || answer.equals("<reset>"), answer);
        assertEquals(before + 1, proxy.awaitStat("listener.web.downstream_cx_proxy_proto_error", before + 1));
    }

    /**
     * Found by {@link ProxyProtocolFuzzTest}: Netty's decoder reports the bad first line, then goes on
     * to decode a header that follows it in the same read. The connection is refused at the first
     * error; what follows must never be read as a header, let alone reach an upstream.
     */
    @Test
    void aHeaderAfterARefusedLineIsNotRead() throws Exception {
        long before = proxy.stat("listener.web.downstream_cx_proxy_proto_error");
        int requests = up.requests.get();
        String answer = proxy.raw("GET\n\r\nPROXY TCP4 203.0.113.9 127.0.0.1 4000 80\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n", 5000);
        assertTrue(answer.isEmpty() || answer.equals("<reset>"), answer);
        assertEquals(before + 1, proxy.awaitStat("listener.web.downstream_cx_proxy_proto_error", before + 1));
        Thread.sleep(200);
        assertEquals(requests, up.requests.get(), "no request reached the upstream");
    }

    /** Sends {@code bytes} and waits for the capturing upstream to have them. */
    private static byte[] sendThrough(int port, byte[] bytes) throws Exception {
        captured.clear();
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.getOutputStream().write(bytes);
            s.getOutputStream().flush();
            byte[] got = captured.poll(10, TimeUnit.SECONDS);
            assertTrue(got != null, "the upstream got the connection");
            return got;
        }
    }

    @Test
    void l4ClustersSendTheClientInAHeaderOfTheirOwn() throws Exception {
        String v1 = new String(sendThrough(sendV1Port, "GET /a HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII)),
                StandardCharsets.ISO_8859_1);
        assertTrue(v1.matches("PROXY TCP4 127\\.0\\.0\\.1 127\\.0\\.0\\.1 \\d+ " + sendV1Port + "\r\nGET /a HTTP/1\\.1\r\nHost: x\r\n\r\n"), v1);

        // A client named by an incoming header is the one named in the outgoing one (v2 here).
        byte[] in = v2Header("203.0.113.50", 5555);
        byte[] request = "GET /b HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        byte[] both = new byte[in.length + request.length];
        System.arraycopy(in, 0, both, 0, in.length);
        System.arraycopy(request, 0, both, in.length, request.length);
        byte[] got = sendThrough(sendV2Port, both);
        EmbeddedChannel decoder = new EmbeddedChannel(new HAProxyMessageDecoder());
        decoder.writeInbound(Unpooled.wrappedBuffer(got));
        HAProxyMessage header = decoder.readInbound();
        assertEquals(HAProxyProtocolVersion.V2, header.protocolVersion());
        assertEquals("203.0.113.50", header.sourceAddress());
        assertEquals(5555, header.sourcePort());
        assertEquals(sendV2Port, header.destinationPort());
        header.release();
        ByteBuf rest = decoder.readInbound();
        assertEquals("GET /b HTTP/1.1\r\nHost: x\r\n\r\n", rest.toString(StandardCharsets.US_ASCII));
        rest.release();
        decoder.finishAndReleaseAll();
    }

    @Test
    void healthChecksOfSuchAClusterSendALocalHeader() throws Exception {
        byte[] first = checks.poll(10, TimeUnit.SECONDS);
        assertTrue(first != null && first.length == 16, "a check connected");
        byte[] signature = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
        assertTrue(Arrays.equals(signature, Arrays.copyOf(first, 12)), HexFormat.of().formatHex(first));
        assertEquals(0x20, first[12], "version 2, command LOCAL");
    }
}
