package yastack.kernel.transport;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * What every flavor's socket suite shares: the {@link Fixture} a concrete test names, set up
 * and torn down around each test (workers, devices and addresses go even when a test fails),
 * and helpers to listen, connect and collect what arrives.
 */
abstract class ChannelTestHarness {
    protected Fixture fx;
    protected final List<Channel> opened = new ArrayList<>();

    protected abstract Fixture newFixture() throws Exception;

    @BeforeEach
    void setUp() throws Exception {
        fx = newFixture();
    }

    @AfterEach
    void tearDown() {
        try {
            for (Channel c : opened) {
                c.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
            }
        } finally {
            if (fx != null) {
                fx.close(); // also when a test failed: workers, devices and addresses go
            }
        }
    }

    // ---------------------------------------------------------------- helpers

    protected Channel listen(ServerBootstrap b, Supplier<ChannelHandler> child) {
        Channel s = b.childHandler(new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(child.get());
            }
        }).bind(fx.bindAddress()).syncUninterruptibly().channel();
        opened.add(s);
        return s;
    }

    protected Channel listen(Supplier<ChannelHandler> child) {
        return listen(fx.server(), child);
    }

    protected ChannelFuture connect(InetSocketAddress to, ChannelHandler handler, int timeoutMillis) {
        ChannelFuture f = fx.client().option(ChannelOption.CONNECT_TIMEOUT_MILLIS, timeoutMillis)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true).handler(handler).connect(to);
        opened.add(f.channel());
        return f;
    }

    protected Channel connect(Channel server, ChannelHandler handler) {
        return connect((InetSocketAddress) server.localAddress(), handler, 5000).syncUninterruptibly().channel();
    }

    protected static <T> T await(CompletableFuture<T> f, int seconds) throws Exception {
        return f.get(seconds, TimeUnit.SECONDS);
    }

    protected static void onLoop(Channel ch, Runnable r) throws Exception {
        ch.eventLoop().submit(r).get(5, TimeUnit.SECONDS);
    }

    /** Collects received bytes; completes when {@code expected} arrived. */
    protected static final class Collect extends ChannelInboundHandlerAdapter {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final int expected;
        final CompletableFuture<byte[]> done = new CompletableFuture<>();
        final CompletableFuture<Void> inputShutdown = new CompletableFuture<>();
        final CompletableFuture<Throwable> error = new CompletableFuture<>();
        final CompletableFuture<Void> inactive = new CompletableFuture<>();

        Collect(int expected) {
            this.expected = expected;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf b = (ByteBuf) msg;
            byte[] a = new byte[b.readableBytes()];
            b.readBytes(a).release();
            synchronized (bytes) {
                bytes.writeBytes(a);
                if (bytes.size() >= expected) {
                    done.complete(bytes.toByteArray());
                }
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt == ChannelInputShutdownEvent.INSTANCE) {
                inputShutdown.complete(null);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            error.complete(cause);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            inactive.complete(null);
        }
    }
}
