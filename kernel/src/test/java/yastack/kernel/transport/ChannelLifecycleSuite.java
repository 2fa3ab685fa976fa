package yastack.kernel.transport;

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
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.channel.socket.SocketChannel;
import java.io.IOException;
import java.net.ConnectException;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The connection-lifecycle half of the socket suite ({@link ChannelConformanceSuite} has the
 * data half and runs both): half-close, the peer's FIN (with reading paused too), resets in
 * either direction, refused and unanswered connects.
 */
abstract class ChannelLifecycleSuite extends ChannelTestHarness {

    @Test
    @Timeout(30)
    void halfCloseDeliversInputShutdownAndKeepsTheOtherDirection() throws Exception {
        CompletableFuture<Integer> serverSaw = new CompletableFuture<>();
        Channel server = listen(fx.server().childOption(ChannelOption.ALLOW_HALF_CLOSURE, true),
                () -> new ChannelInboundHandlerAdapter() {
                    int count;

                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        count += ((ByteBuf) msg).readableBytes();
                        ((ByteBuf) msg).release();
                    }

                    @Override
                    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                        if (evt == ChannelInputShutdownEvent.INSTANCE) {
                            assertTrue(((DuplexChannel) ctx.channel()).isInputShutdown());
                            serverSaw.complete(count);
                            ctx.writeAndFlush(Unpooled.copiedBuffer("got " + count, java.nio.charset.StandardCharsets.US_ASCII))
                                    .addListener(f -> ctx.close());
                        }
                    }
                });
        Collect got = new Collect(Integer.MAX_VALUE);
        SocketChannel client = (SocketChannel) connect(server, got);
        client.writeAndFlush(Unpooled.wrappedBuffer(TestHandlers.randomBytes(100_000, 3))).sync();
        client.shutdownOutput().sync();
        assertTrue(client.isOutputShutdown());
        assertEquals(100_000, await(serverSaw, 10));
        await(got.inputShutdown, 10);
        synchronized (got.bytes) {
            assertEquals("got 100000", got.bytes.toString(java.nio.charset.StandardCharsets.US_ASCII));
        }
        assertTrue(client.isInputShutdown() && client.isShutdown());
        assertTrue(client.isOpen(), "half-closure keeps the channel open until closed");
        assertFalse(got.error.isDone(), () -> "unexpected error " + got.error.join());
    }

    @Test
    @Timeout(30)
    void withoutHalfClosureThePeersFinClosesTheChannel() throws Exception {
        CompletableFuture<Void> serverInactive = new CompletableFuture<>();
        AtomicInteger events = new AtomicInteger();
        Channel server = listen(() -> new ChannelInboundHandlerAdapter() {
            @Override
            public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                if (evt == ChannelInputShutdownEvent.INSTANCE) {
                    events.incrementAndGet();
                }
            }

            @Override
            public void channelInactive(ChannelHandlerContext ctx) {
                serverInactive.complete(null);
            }
        });
        Collect got = new Collect(Integer.MAX_VALUE);
        SocketChannel client = (SocketChannel) connect(server, got);
        client.shutdownOutput().sync();
        await(serverInactive, 10);
        assertEquals(0, events.get());
        await(got.inputShutdown, 10); // the server's close is a FIN the half-closing client sees
    }

    @Test
    @Timeout(30)
    void aFinWhileReadingIsPausedIsReadAtOnce() throws Exception {
        CompletableFuture<Void> serverInactive = new CompletableFuture<>();
        AtomicInteger bytes = new AtomicInteger();
        Channel server = listen(fx.server().childOption(ChannelOption.AUTO_READ, false), () -> new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                bytes.addAndGet(((ByteBuf) msg).readableBytes());
                ((ByteBuf) msg).release();
            }

            @Override
            public void channelInactive(ChannelHandlerContext ctx) {
                serverInactive.complete(null);
            }
        });
        SocketChannel client = (SocketChannel) connect(server, new ChannelInboundHandlerAdapter());
        int sent = 48 * 1024;
        client.writeAndFlush(Unpooled.wrappedBuffer(TestHandlers.randomBytes(sent, 9))).sync();
        Thread.sleep(200);
        assertEquals(0, bytes.get(), "read without read()");
        // Nobody calls read(): the FIN is noticed all the same (EPOLLRDHUP/POLLRDHUP on host sockets),
        // after the data that came before it.
        client.shutdownOutput().sync();
        await(serverInactive, 10);
        assertEquals(sent, bytes.get());
    }

    @Test
    @Timeout(30)
    void abortWithLingerZeroIsAResetForThePeer() throws Exception {
        CompletableFuture<Channel> accepted = new CompletableFuture<>();
        Collect serverSide = new Collect(1);
        Channel server = listen(() -> new ChannelInboundHandlerAdapter() {
            @Override
            public void handlerAdded(ChannelHandlerContext ctx) {
                ctx.pipeline().addLast(serverSide);
                accepted.complete(ctx.channel());
            }
        });
        Channel client = connect(server, new ChannelInboundHandlerAdapter());
        client.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {42})).sync();
        await(serverSide.done, 10);
        client.config().setOption(ChannelOption.SO_LINGER, 0);
        client.close().sync();
        Throwable t = await(serverSide.error, 10);
        assertInstanceOf(IOException.class, t);
        assertTrue(String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT).contains("reset"), t.toString());
        await(serverSide.inactive, 10);
        assertFalse(await(accepted, 1).isOpen());
    }

    @Test
    @Timeout(30)
    void aWriterWhosePeerAbortsGetsAnIOExceptionAndCloses() throws Exception {
        Channel server = listen(fx.server().childOption(ChannelOption.SO_LINGER, 0), () -> new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                ((ByteBuf) msg).release();
                ctx.close(); // linger 0: RST
            }
        });
        CompletableFuture<Throwable> failure = new CompletableFuture<>();
        Collect got = new Collect(Integer.MAX_VALUE);
        Channel client = connect(server, got);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (client.isActive() && System.nanoTime() < deadline) {
            client.writeAndFlush(Unpooled.wrappedBuffer(new byte[1024])).addListener(f -> {
                if (f.cause() != null) {
                    failure.complete(f.cause());
                }
            });
            Thread.sleep(5);
        }
        await(got.inactive, 10);
        Throwable t = got.error.isDone() ? got.error.join() : await(failure, 5);
        assertInstanceOf(IOException.class, t, t.toString());
        assertFalse(client.isOpen());
    }

    @Test
    @Timeout(30)
    void connectionRefusedFailsTheConnectWithConnectException() throws Exception {
        ChannelFuture f = connect(fx.refusingAddress(), new ChannelInboundHandlerAdapter(), 5000).awaitUninterruptibly();
        assertFalse(f.isSuccess());
        assertInstanceOf(ConnectException.class, f.cause());
        assertFalse(f.cause() instanceof ConnectTimeoutException, f.cause().toString());
        f.channel().closeFuture().await(5, TimeUnit.SECONDS);
        assertFalse(f.channel().isOpen());
    }

    @Test
    @Timeout(30)
    void unansweredConnectTimesOutAfterConnectTimeoutMillis() throws Exception {
        try (Fixture.Blackhole hole = fx.blackhole()) {
            long start = System.nanoTime();
            ChannelFuture f = connect(hole.address(), new ChannelInboundHandlerAdapter(), 300).awaitUninterruptibly();
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertFalse(f.isSuccess());
            assertInstanceOf(ConnectTimeoutException.class, f.cause());
            assertTrue(ms >= 250 && ms < 3000, "timed out after " + ms + " ms");
            f.channel().closeFuture().await(5, TimeUnit.SECONDS);
            assertFalse(f.channel().isOpen());
        }
    }
}
