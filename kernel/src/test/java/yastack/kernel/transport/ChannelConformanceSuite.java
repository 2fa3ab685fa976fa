package yastack.kernel.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One socket test suite run against every flavor (Netty's testsuite habit): each test states a
 * behaviour a Netty pipeline relies on and must hold for host sockets and userspace sockets alike,
 * and for every server x client pairing of them: host/host, userspace/userspace (two loops or
 * one), and across a TAP link host server/userspace client and userspace server/host client
 * ({@link CrossFlavorFixture}, root only). The data tests are here; the lifecycle ones in
 * {@link ChannelLifecycleSuite}, which this extends, so every fixture runs both.
 */
abstract class ChannelConformanceSuite extends ChannelLifecycleSuite {

    @Test
    @Timeout(30)
    void echoesAndReportsBothEndsAddresses() throws Exception {
        CompletableFuture<Channel> accepted = new CompletableFuture<>();
        Channel server = listen(() -> new ChannelInboundHandlerAdapter() {
            @Override
            public void channelActive(ChannelHandlerContext ctx) {
                accepted.complete(ctx.channel());
                ctx.pipeline().addLast(new TestHandlers.Echo());
                ctx.fireChannelActive();
            }
        });
        byte[] payload = TestHandlers.randomBytes(200_000, 1);
        Collect got = new Collect(payload.length);
        Channel client = connect(server, got);
        assertInstanceOf(SocketChannel.class, client);
        int off = 0;
        for (int i = 0; off < payload.length; i++) {
            int n = Math.min(payload.length - off, 1 + (i * 7919) % 9000);
            client.write(Unpooled.wrappedBuffer(payload, off, n));
            off += n;
        }
        client.flush();
        assertArrayEquals(payload, await(got.done, 20));
        Channel child = await(accepted, 5);
        assertInstanceOf(SocketChannel.class, child);
        assertEquals(server.localAddress(), client.remoteAddress());
        assertEquals(client.localAddress(), child.remoteAddress());
        assertEquals(child.localAddress(), client.remoteAddress());
        assertTrue(client.isActive() && child.isActive());
        client.close().sync();
        assertFalse(client.isOpen());
        assertFalse(client.isActive());
    }

    @Test
    @Timeout(180)
    void transfersThirtyTwoMebibytesEachWayAtOnce() throws Exception {
        long size = 32L << 20;
        CompletableFuture<TestHandlers.Sink> serverSink = new CompletableFuture<>();
        CompletableFuture<TestHandlers.Source> serverSource = new CompletableFuture<>();
        Channel server = listen(() -> new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                TestHandlers.Sink sink = new TestHandlers.Sink(size);
                TestHandlers.Source source = new TestHandlers.Source(size, 16384, 7);
                ch.pipeline().addLast(sink, source);
                serverSink.complete(sink);
                serverSource.complete(source);
            }
        });
        TestHandlers.Sink clientSink = new TestHandlers.Sink(size);
        TestHandlers.Source clientSource = new TestHandlers.Source(size, 65536, 8);
        connect(server, new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(clientSink, clientSource);
            }
        });
        long sentUp = await(clientSource.done, 150);
        long gotUp = await(await(serverSink, 5).done, 150);
        long sentDown = await(await(serverSource, 5).done, 150);
        long gotDown = await(clientSink.done, 150);
        assertEquals(sentUp, gotUp, "checksum client -> server");
        assertEquals(sentDown, gotDown, "checksum server -> client");
        assertEquals(size, clientSink.received);
        WriteBufferWaterMark wm = WriteBufferWaterMark.DEFAULT;
        assertTrue(clientSource.maxPending <= wm.high() + 65536, "writer buffered " + clientSource.maxPending);
    }

    @Test
    @Timeout(60)
    void slowReaderMakesTheWriterUnwritableAndItRecovers() throws Exception {
        long total = 8L << 20;
        CompletableFuture<Channel> accepted = new CompletableFuture<>();
        TestHandlers.Sink sink = new TestHandlers.Sink(total);
        Channel server = listen(fx.server().childOption(ChannelOption.AUTO_READ, false), () -> new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(sink);
                accepted.complete(ch);
            }
        });
        TestHandlers.Source source = new TestHandlers.Source(total, 16384, 11);
        CountDownLatch unwritable = new CountDownLatch(1);
        Channel client = fx.client().option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(32768, 65536))
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelWritabilityChanged(ChannelHandlerContext ctx) {
                                if (!ctx.channel().isWritable()) {
                                    unwritable.countDown();
                                }
                                ctx.fireChannelWritabilityChanged();
                            }
                        }, source);
                    }
                }).connect(server.localAddress()).sync().channel();
        opened.add(client);
        assertTrue(unwritable.await(20, TimeUnit.SECONDS), "writer never became unwritable");
        Thread.sleep(200);
        assertFalse(client.isWritable(), "nobody reads, yet the writer became writable again");
        assertFalse(source.done.isDone(), "everything went out although nobody reads");
        long stalledAt = source.sent;
        assertTrue(stalledAt < total, "sent " + stalledAt);
        Channel child = await(accepted, 5);
        // read slowly: one read() at a time from a timer, the way a rate-limited handler would
        io.netty.util.concurrent.ScheduledFuture<?> reader = child.eventLoop().scheduleAtFixedRate(child::read, 0, 1, TimeUnit.MILLISECONDS);
        try {
            long got = await(sink.done, 50);
            assertEquals(await(source.done, 5), got);
        } finally {
            reader.cancel(false);
        }
        assertTrue(source.writabilityRegained >= 1);
        assertTrue(source.maxPending <= 65536 + 16384, "outbound buffer grew to " + source.maxPending);
    }

    @Test
    @Timeout(90)
    void servesTwoHundredConcurrentConnections() throws Exception {
        int n = 200;
        Channel server = listen(fx.server().option(ChannelOption.SO_BACKLOG, 1024), TestHandlers.Echo::new);
        List<Collect> collectors = new ArrayList<>();
        List<ChannelFuture> connects = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Collect c = new Collect(2048);
            collectors.add(c);
            connects.add(connect((InetSocketAddress) server.localAddress(), c, 20000));
        }
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        for (int i = 0; i < n; i++) {
            ChannelFuture f = connects.get(i).awaitUninterruptibly();
            if (!f.isSuccess()) {
                failures.add(f.cause());
                continue;
            }
            f.channel().writeAndFlush(Unpooled.wrappedBuffer(TestHandlers.randomBytes(2048, i)));
        }
        assertTrue(failures.isEmpty(), () -> failures.size() + " connects failed, first: " + failures.peek());
        for (int i = 0; i < n; i++) {
            assertArrayEquals(TestHandlers.randomBytes(2048, i), await(collectors.get(i).done, 30), "connection " + i);
        }
        for (ChannelFuture f : connects) {
            f.channel().close();
        }
        for (ChannelFuture f : connects) {
            f.channel().closeFuture().await(5, TimeUnit.SECONDS);
        }
    }

    @Test
    @Timeout(60)
    void withAutoReadOffNothingIsReadUntilReadIsCalled() throws Exception {
        CompletableFuture<Channel> accepted = new CompletableFuture<>();
        AtomicInteger reads = new AtomicInteger();
        AtomicInteger completes = new AtomicInteger();
        AtomicInteger bytes = new AtomicInteger();
        Channel server = listen(fx.server().childOption(ChannelOption.AUTO_READ, false), () -> new ChannelInboundHandlerAdapter() {
            @Override
            public void channelActive(ChannelHandlerContext ctx) {
                accepted.complete(ctx.channel());
            }

            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                reads.incrementAndGet();
                bytes.addAndGet(((ByteBuf) msg).readableBytes());
                ((ByteBuf) msg).release();
            }

            @Override
            public void channelReadComplete(ChannelHandlerContext ctx) {
                completes.incrementAndGet();
            }
        });
        Channel client = connect(server, new ChannelInboundHandlerAdapter());
        int expected = 128 * 1024;
        client.writeAndFlush(Unpooled.wrappedBuffer(TestHandlers.randomBytes(expected, 5))).sync();
        Channel child = await(accepted, 5);
        Thread.sleep(300);
        assertEquals(0, reads.get(), "read without read()");
        int calls = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
        while (bytes.get() < expected && System.nanoTime() < deadline) {
            int before = completes.get();
            onLoop(child, child::read);
            calls++;
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            while (completes.get() == before && System.nanoTime() < until) {
                Thread.sleep(1);
            }
            assertEquals(before + 1, completes.get(), "one read() gives one read batch");
            if (calls <= 10) {
                // more data arriving must not be read either until the next read()
                client.writeAndFlush(Unpooled.wrappedBuffer(TestHandlers.randomBytes(8192, calls))).sync();
                expected += 8192;
            }
            int readsNow = reads.get();
            Thread.sleep(30);
            assertEquals(readsNow, reads.get(), "kept reading after the batch without another read()");
        }
        assertEquals(expected, bytes.get());
        assertTrue(calls > 10, "each read() should deliver one message");
    }

    @Test
    @Timeout(60)
    void sslHandlerRunsUnchanged() throws Exception {
        io.netty.handler.ssl.SslContext serverTls = TestTls.server();
        io.netty.handler.ssl.SslContext clientTls = TestTls.client();
        Channel server = listen(() -> new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(serverTls.newHandler(ch.alloc()), new TestHandlers.Echo());
            }
        });
        byte[] payload = TestHandlers.randomBytes(1 << 20, 13);
        Collect got = new Collect(payload.length);
        io.netty.handler.ssl.SslHandler[] tls = new io.netty.handler.ssl.SslHandler[1];
        Channel client = connect(server, new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                tls[0] = clientTls.newHandler(ch.alloc());
                ch.pipeline().addLast(tls[0], got);
            }
        });
        tls[0].handshakeFuture().sync();
        assertTrue(tls[0].engine().getSession().getProtocol().startsWith("TLS"));
        for (int off = 0; off < payload.length; off += 16384) {
            client.write(Unpooled.wrappedBuffer(payload, off, Math.min(16384, payload.length - off)));
        }
        client.flush();
        assertArrayEquals(payload, await(got.done, 40));
        tls[0].closeOutbound().sync(); // close_notify over the transport
    }

    @Test
    @Timeout(30)
    void httpCodecsRunUnchanged() throws Exception {
        Channel server = listen(() -> new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(1 << 20),
                        new io.netty.channel.SimpleChannelInboundHandler<FullHttpRequest>() {
                            @Override
                            protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
                                FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                                        req.content().retainedDuplicate());
                                resp.headers().set(HttpHeaderNames.CONTENT_LENGTH, req.content().readableBytes());
                                resp.headers().set("x-uri", req.uri());
                                ctx.writeAndFlush(resp);
                            }
                        });
            }
        });
        CompletableFuture<FullHttpResponse> response = new CompletableFuture<>();
        Channel client = connect(server, new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(1 << 20),
                        new io.netty.channel.SimpleChannelInboundHandler<FullHttpResponse>() {
                            @Override
                            protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse r) {
                                response.complete(r.retainedDuplicate());
                            }
                        });
            }
        });
        byte[] body = TestHandlers.randomBytes(300_000, 9);
        FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/echo?x=1",
                Unpooled.wrappedBuffer(body));
        req.headers().set(HttpHeaderNames.CONTENT_LENGTH, body.length);
        client.writeAndFlush(req);
        FullHttpResponse r = await(response, 20);
        try {
            assertEquals(HttpResponseStatus.OK, r.status());
            assertEquals("/echo?x=1", r.headers().get("x-uri"));
            byte[] got = new byte[r.content().readableBytes()];
            r.content().readBytes(got);
            assertArrayEquals(body, got);
        } finally {
            r.release();
        }
    }
}
