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
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import yastack.proxy.fixtures.ProxyHarness;
import yastack.proxy.fixtures.TestPki;

/**
 * An HTTP/2 cluster (http2_protocol_options) in front of Netty's HTTP/2 server speaking
 * cleartext h2 with prior knowledge, the way gRPC servers do: HTTP/1.1 clients' requests
 * become streams multiplexed on one upstream connection, bodies go both ways, and the
 * server's trailers reach the client.
 */
class Http2UpstreamTest {
    static NettyTestServer server;
    static final AtomicInteger connections = new AtomicInteger();
    static ProxyHarness proxy;

    @BeforeAll
    static void start() throws Exception {
        server = new NettyTestServer(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                connections.incrementAndGet();
                ch.pipeline().addLast(Http2FrameCodecBuilder.forServer().build(),
                        new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
                            @Override
                            protected void initChannel(Http2StreamChannel s) {
                                s.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(true),
                                        new HttpObjectAggregator(1 << 20), new Answer());
                            }
                        }));
            }
        });
        int port = server.port();
        proxy = new ProxyHarness(ProxyHarness.singleRoute("", port).replace("endpoints:",
                "http2_protocol_options: {max_concurrent_streams: 100}, endpoints:"), 1);
    }

    @AfterAll
    static void stop() {
        if (proxy != null) proxy.close();
        server.close();
    }

    /** Answers with what it received (after a pause, so requests overlap) and a grpc-status trailer. */
    static final class Answer extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest r) throws Exception {
            byte[] in = new byte[r.content().readableBytes()];
            r.content().readBytes(in);
            String body = "h2 " + r.method() + " " + r.uri() + " te=" + r.headers().get(HttpHeaderNames.TE) + " bytes=" + in.length
                    + " sha=" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(in));
            FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
            res.trailingHeaders().set("grpc-status", "0");
            ctx.executor().schedule(() -> ctx.writeAndFlush(res), 100, TimeUnit.MILLISECONDS);
        }
    }

    @Test
    void concurrentRequestsShareOneConnection() throws Exception {
        int before = connections.get();
        List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            all.add(proxy.client.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.port + "/c" + i))
                    .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString()));
        }
        for (int i = 0; i < 40; i++) {
            HttpResponse<String> r = all.get(i).get(20, TimeUnit.SECONDS);
            assertEquals(200, r.statusCode(), r.body());
            assertTrue(r.body().startsWith("h2 GET /c" + i + " "), r.body());
            assertEquals("2 yastack", r.headers().firstValue("via").orElse(""), "the response came over HTTP/2");
            assertTrue(r.headers().firstValue("x-http2-stream-id").isEmpty(), "no conversion artefacts reach the client");
        }
        assertTrue(connections.get() - before <= 1, "40 overlapping requests on one connection, got " + (connections.get() - before));
        assertEquals(1, proxy.stat("cluster.up.upstream_cx_active"));
    }

    @Test
    void bodiesGoUpAndTrailersComeDown() throws Exception {
        byte[] body = new byte[200_000];
        ThreadLocalRandom.current().nextBytes(body);
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
        HttpResponse<String> r = proxy.client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.port + "/up"))
                .timeout(Duration.ofSeconds(20)).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.body().endsWith("bytes=" + body.length + " sha=" + sha), r.body());

        // gRPC's shape: te: trailers goes up, and the status trailer comes back in the chunked trailer section.
        try (Socket s = new Socket("127.0.0.1", proxy.port)) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write("GET /grpc HTTP/1.1\r\nHost: x\r\nTE: trailers\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            String answer = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            assertTrue(answer.startsWith("HTTP/1.1 200") && answer.contains("transfer-encoding: chunked"), answer);
            assertTrue(answer.contains("te=trailers"), answer);
            assertTrue(answer.endsWith("0\r\ngrpc-status: 0\r\n\r\n"), answer);
        }
    }

    @Test
    void anHttp2ClientGetsTheTrailersAsHttp2Trailers() throws Exception {
        Path dir = Files.createTempDirectory("yastack-h2-up");
        TestPki pki = new TestPki(dir);
        pki.issue("a", "a.test");
        int port = server.port();
        try (ProxyHarness tls = new ProxyHarness(ProxyHarness.tlsSingleRoute(pki.path("a.pem"), pki.path("a.key"),
                "http2_protocol_options: {}, endpoints: [{address: 127.0.0.1, port: " + port + "}]"), 1)) {
            String out = pki.run("curl", "-sS", "-v", "--http2", "--max-time", "10", "--cacert", pki.path("ca.pem").toString(),
                    "-H", "te: trailers", "--resolve", "a.test:" + tls.port + ":127.0.0.1", "https://a.test:" + tls.port + "/svc/Method");
            assertTrue(out.contains("< HTTP/2 200"), out);
            assertTrue(out.contains("h2 GET /svc/Method te=trailers"), out);
            assertTrue(out.contains("< grpc-status: 0"), "the trailer arrives as an HTTP/2 trailer: " + out);
        }
    }
}
