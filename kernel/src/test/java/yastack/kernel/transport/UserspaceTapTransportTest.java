package yastack.kernel.transport;

import yastack.kernel.fixtures.Needs;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import yastack.kernel.fixtures.Shell;
import yastack.kernel.io.tap.TapConfig;
import yastack.kernel.io.tap.TapPort;
import yastack.stack.NetStack;
import yastack.stack.StackConfig;

/**
 * The userspace channels against the real Linux TCP stack over a TAP device: the kernel's curl
 * and JDK sockets talk to Netty servers on the Java stack, and a Netty client on the Java stack
 * talks to a kernel-side server socket. Each test gets its own device and /24, deleted after.
 */
class UserspaceTapTransportTest {
    private String dev;
    private String kernelIp;
    private String stackIp;
    private TapPort port;
    private Worker worker;
    private NetStack stack;

    @BeforeAll
    static void requirements() {
        Needs.tap("a userspace channel over a TAP device", "ip", "ethtool", "curl");
    }

    @BeforeEach
    void setUp() throws Exception {
        dev = "ystr" + Shell.uniqueSuffix();
        int x = Shell.freeSubnet();
        kernelIp = "10.213." + x + ".1";
        stackIp = "10.213." + x + ".2";
        try {
            port = TapPort.open(TapConfig.of(dev));
            Shell.must("ip", "link", "set", "dev", dev, "up");
            Shell.must("ip", "addr", "add", kernelIp + "/24", "dev", dev);
            // the kernel would otherwise hand us partial checksums and GSO super-frames
            Shell.must("ethtool", "-K", dev, "tx", "off", "tso", "off", "gso", "off", "gro", "off");
            worker = new Worker();
            StackPoller poller = new StackPoller(port, 0, new StackConfig().mac(port.mac().bits()).address(stackIp, 24));
            stack = poller.stack();
            worker.addPoller(poller);
        } catch (Exception | Error e) {
            tearDown();
            throw e;
        }
    }

    @AfterEach
    void tearDown() {
        if (worker != null) {
            worker.close();
        }
        if (port != null) {
            port.close();
        }
        Shell.quietly("ip", "link", "del", dev);
    }

    private Channel listen(int p, ChannelInitializer<Channel> init) {
        return new ServerBootstrap().group(worker.loop()).channelFactory(() -> new UserspaceServerChannel(stack))
                .childHandler(init).bind(new InetSocketAddress(stackIp, p)).syncUninterruptibly().channel();
    }

    @Test
    @Timeout(60)
    void kernelSocketsAndCurlTalkToNettyServersOnTheJavaStack(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        Channel echo = listen(7, new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(new TestHandlers.Echo());
            }
        });
        Channel http = listen(8080, new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(8 << 20),
                        new SimpleChannelInboundHandler<FullHttpRequest>() {
                            @Override
                            protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
                                FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                                        req.content().retainedDuplicate());
                                r.headers().set(HttpHeaderNames.CONTENT_LENGTH, req.content().readableBytes());
                                r.headers().set("x-served-by", "yastack-userspace");
                                ctx.writeAndFlush(r);
                            }
                        });
            }
        });
        try {
            // a JDK socket of the Linux kernel, echoing 4 MiB both ways at once
            byte[] data = TestHandlers.randomBytes(4 << 20, 21);
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(stackIp, 7), 5000);
                s.setSoTimeout(20000);
                CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                    try {
                        OutputStream out = s.getOutputStream();
                        for (int off = 0; off < data.length; off += 65536) {
                            out.write(data, off, Math.min(65536, data.length - off));
                        }
                        out.flush();
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                });
                InputStream in = s.getInputStream();
                ByteArrayOutputStream got = new ByteArrayOutputStream();
                byte[] buf = new byte[65536];
                while (got.size() < data.length) {
                    int n = in.read(buf);
                    if (n < 0) {
                        break;
                    }
                    got.write(buf, 0, n);
                }
                writer.get(20, TimeUnit.SECONDS);
                assertArrayEquals(data, got.toByteArray());
            }
            // curl POSTs 1 MiB through HTTP/1.1 codecs on the userspace channel
            Path body = tmp.resolve("body");
            Path out = tmp.resolve("out");
            Files.write(body, TestHandlers.randomBytes(1 << 20, 22));
            Shell.Result r = Shell.run(30, "curl", "-sS", "--max-time", "20", "-D", "-", "-o", out.toString(),
                    "--data-binary", "@" + body, "-H", "Content-Type: application/octet-stream",
                    "http://" + stackIp + ":8080/upload");
            assertEquals(0, r.exit(), r.output());
            assertTrue(r.output().startsWith("HTTP/1.1 200"), r.output());
            assertTrue(r.output().toLowerCase(java.util.Locale.ROOT).contains("x-served-by: yastack-userspace"), r.output());
            assertArrayEquals(Files.readAllBytes(body), Files.readAllBytes(out));
        } finally {
            echo.close().syncUninterruptibly();
            http.close().syncUninterruptibly();
        }
    }

    @Test
    @Timeout(60)
    void nettyClientOnTheJavaStackTalksToAKernelServer() throws Exception {
        byte[] data = TestHandlers.randomBytes(4 << 20, 23);
        try (ServerSocket server = new ServerSocket(0, 8, InetAddress.getByName(kernelIp))) {
            CompletableFuture<Integer> kernelSide = CompletableFuture.supplyAsync(() -> {
                try (Socket s = server.accept()) {
                    s.setSoTimeout(20000);
                    InputStream in = s.getInputStream();
                    OutputStream out = s.getOutputStream();
                    byte[] buf = new byte[65536];
                    int total = 0;
                    for (int n; (n = in.read(buf)) > 0; ) {
                        out.write(buf, 0, n);
                        total += n;
                    }
                    return total; // the client's FIN ended the stream; closing sends ours
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            CompletableFuture<Void> peerFin = new CompletableFuture<>();
            Channel client = new Bootstrap().group(worker.loop())
                    .channelFactory(() -> new UserspaceSocketChannel(stack))
                    .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                    .handler(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            ByteBuf b = (ByteBuf) msg;
                            byte[] a = new byte[b.readableBytes()];
                            b.readBytes(a).release();
                            got.writeBytes(a);
                        }

                        @Override
                        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                            if (evt == ChannelInputShutdownEvent.INSTANCE) {
                                peerFin.complete(null);
                                ctx.close();
                            }
                        }
                    })
                    .connect(new InetSocketAddress(kernelIp, server.getLocalPort())).sync().channel();
            assertEquals(new InetSocketAddress(kernelIp, server.getLocalPort()), client.remoteAddress());
            assertEquals(InetAddress.getByName(stackIp), ((SocketChannel) client).localAddress().getAddress());
            for (int off = 0; off < data.length; off += 65536) {
                client.write(Unpooled.wrappedBuffer(data, off, Math.min(65536, data.length - off)));
            }
            client.flush();
            client.eventLoop().submit(() -> client.writeAndFlush(Unpooled.EMPTY_BUFFER)
                    .addListener(f -> ((SocketChannel) client).shutdownOutput())).sync();
            assertEquals(data.length, kernelSide.get(30, TimeUnit.SECONDS));
            peerFin.get(20, TimeUnit.SECONDS);
            assertArrayEquals(data, got.toByteArray());
        }
        // the kernel answers a SYN to a closed port with RST: a refused connect
        int closedPort;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName(kernelIp))) {
            closedPort = probe.getLocalPort();
        }
        ChannelFuture refused = new Bootstrap().group(worker.loop()).channelFactory(() -> new UserspaceSocketChannel(stack))
                .handler(new ChannelInboundHandlerAdapter()).connect(new InetSocketAddress(kernelIp, closedPort))
                .awaitUninterruptibly();
        assertInstanceOf(ConnectException.class, refused.cause());
    }
}
