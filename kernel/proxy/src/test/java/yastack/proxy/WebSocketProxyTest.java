package yastack.proxy;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import yastack.proxy.fixtures.ProxyHarness;

/**
 * WebSocket through the proxy: the JDK's WebSocket client, the proxy with
 * {@code upgrade_configs: [{upgrade_type: websocket}]}, and Netty's WebSocket server as the
 * upstream. Without the config the upgrade is not passed on; an upstream that answers an
 * upgrade request with an ordinary response leaves the connection HTTP.
 */
class WebSocketProxyTest {
    static NettyTestServer server;
    static ProxyHarness proxy;
    static ServerSocket wrongSwitch;

    @BeforeAll
    static void start() throws Exception {
        server = new NettyTestServer(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(1 << 20),
                        new WebSocketServerProtocolHandler("/ws", null, false, 1 << 20), new Echo(), new Plain());
            }
        });
        int port = server.port();
        // An upstream that "switches" to a protocol nobody asked for.
        wrongSwitch = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> {
            while (!wrongSwitch.isClosed()) {
                try (Socket s = wrongSwitch.accept()) {
                    InputStream in = s.getInputStream();
                    String head = "";
                    while (!head.endsWith("\r\n\r\n")) head += (char) in.read();
                    s.getOutputStream().write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n\r\n"
                            .getBytes(StandardCharsets.US_ASCII));
                    s.getOutputStream().flush();
                    Thread.sleep(200);
                } catch (Exception closed) {
                    // next connection, or the test is over
                }
            }
        });
        proxy = new ProxyHarness(ProxyHarness.listenerWithRoutes("upgrade_configs: [{upgrade_type: websocket}]", """
                - {match: {prefix: "/wrong"}, route: {cluster: wrong}}
                - {match: {prefix: "/"}, route: {cluster: ws}}
                """) + """
                clusters:
                  - {name: ws, endpoints: [{address: 127.0.0.1, port: %d}]}
                  - {name: wrong, endpoints: [{address: 127.0.0.1, port: %d}]}
                """.formatted(port, wrongSwitch.getLocalPort()), 1);
    }

    @AfterAll
    static void stop() throws IOException {
        if (proxy != null) proxy.close();
        wrongSwitch.close();
        server.close();
    }

    /** Echoes frames back: text prefixed with "echo:", binary as is. */
    static final class Echo extends SimpleChannelInboundHandler<WebSocketFrame> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame f) {
            if (f instanceof TextWebSocketFrame t) ctx.writeAndFlush(new TextWebSocketFrame("echo:" + t.text()));
            else if (f instanceof BinaryWebSocketFrame b) ctx.writeAndFlush(new BinaryWebSocketFrame(b.content().retain()));
        }
    }

    /** Plain HTTP for every other path: 200 "plain <path>". */
    static final class Plain extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest r) {
            byte[] body = ("plain " + r.uri() + " upgrade=" + r.headers().get(HttpHeaderNames.UPGRADE)).getBytes(StandardCharsets.UTF_8);
            FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.wrappedBuffer(body));
            res.headers().set(HttpHeaderNames.CONTENT_LENGTH, body.length);
            ctx.writeAndFlush(res);
        }
    }

    /** Collects whole messages the client receives. */
    static final class Collector implements WebSocket.Listener {
        final LinkedBlockingQueue<Object> messages = new LinkedBlockingQueue<>();
        final CompletableFuture<Integer> closed = new CompletableFuture<>();
        private final StringBuilder text = new StringBuilder();
        private final ByteArrayOutputStream binary = new ByteArrayOutputStream();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                messages.add(text.toString());
                text.setLength(0);
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            byte[] b = new byte[data.remaining()];
            data.get(b);
            binary.writeBytes(b);
            if (last) {
                messages.add(binary.toByteArray());
                binary.reset();
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            closed.complete(statusCode);
            return null;
        }
    }

    @Test
    void messagesBothWaysThroughTheTunnel() throws Exception {
        long upgrades = proxy.stat("http.web.downstream_cx_upgrades_total");
        long interim = proxy.stat("http.web.downstream_rq_1xx");
        Collector c = new Collector();
        WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + proxy.port + "/ws"), c).get(10, TimeUnit.SECONDS);
        for (int i = 0; i < 50; i++) ws.sendText("m" + i, true).get(5, TimeUnit.SECONDS);
        for (int i = 0; i < 50; i++) assertEquals("echo:m" + i, c.messages.poll(5, TimeUnit.SECONDS));
        byte[] big = new byte[300_000];
        ThreadLocalRandom.current().nextBytes(big);
        ws.sendBinary(ByteBuffer.wrap(big), true).get(10, TimeUnit.SECONDS);
        assertArrayEquals(big, (byte[]) c.messages.poll(10, TimeUnit.SECONDS));
        assertEquals(1, proxy.stat("http.web.downstream_cx_upgrades_active"));
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
        assertEquals(WebSocket.NORMAL_CLOSURE, c.closed.get(5, TimeUnit.SECONDS));
        assertEquals(upgrades + 1, proxy.stat("http.web.downstream_cx_upgrades_total"), "this WebSocket is one upgrade");
        long active = 1;
        for (int i = 0; i < 100 && (active = proxy.stat("http.web.downstream_cx_upgrades_active")) != 0; i++) Thread.sleep(50);
        assertEquals(0, active, "the tunnel closed with the WebSocket");
        assertEquals(interim + 1, proxy.stat("http.web.downstream_rq_1xx"), "the 101 counts as the request's answer");
    }

    @Test
    void withoutUpgradeConfigsTheUpgradeIsNotPassedOn() throws Exception {
        int port = server.port();
        try (ProxyHarness plain = new ProxyHarness(ProxyHarness.singleRoute("", port), 1)) {
            ExecutionException e = assertThrows(ExecutionException.class, () -> HttpClient.newHttpClient().newWebSocketBuilder()
                    .buildAsync(URI.create("ws://127.0.0.1:" + plain.port + "/ws"), new Collector()).get(10, TimeUnit.SECONDS));
            assertTrue(e.getCause() instanceof WebSocketHandshakeException, e.toString());
        }
    }

    @Test
    void anUpgradeAnsweredWithoutA101LeavesTheConnectionHttp() throws Exception {
        // The second request rides in the same packet: it must be parsed and answered as HTTP,
        // never relayed as tunnel bytes, since the upstream did not switch.
        try (Socket s = new Socket("127.0.0.1", proxy.port)) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(("GET /not-ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
                    + "GET /second HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            List<String> bodies = new ArrayList<>();
            for (int i = 0; i < 2; i++) bodies.add(ProxyHarness.readResponse(in));
            assertTrue(bodies.get(0).startsWith("HTTP/1.1 200") && bodies.get(0).endsWith("plain /not-ws upgrade=websocket"), bodies.get(0));
            assertTrue(bodies.get(1).startsWith("HTTP/1.1 200") && bodies.get(1).endsWith("plain /second upgrade=null"), bodies.get(1));
        }
    }

    @Test
    void aSwitchToAnotherProtocolThanAskedIs502() throws Exception {
        String answer = proxy.raw("GET /wrong HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n", 5000);
        assertTrue(answer.startsWith("HTTP/1.1 502"), answer);
    }
}
