package yastack.proxy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandler;
import io.netty.channel.ChannelPromise;
import java.net.SocketAddress;

/**
 * The outbound half of an HTTP/1.1 codec whose class is its decoder: writes go through its
 * {@link Http1Encoder}, everything else passes on. One handler both ways rather than Netty's
 * combined pair, whose two extra contexts every message and write would pass and every
 * connection would carry.
 */
interface Http1Codec extends ChannelOutboundHandler {
    Http1Encoder encoder();

    @Override
    default void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        encoder().write(ctx, msg, promise);
    }

    @Override
    default void flush(ChannelHandlerContext ctx) {
        encoder().writePending(ctx);
        ctx.flush();
    }

    @Override
    default void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        encoder().discard(); // unflushed writes die with the connection, as Netty's own do
        ctx.close(promise);
    }

    @Override
    default void disconnect(ChannelHandlerContext ctx, ChannelPromise promise) {
        encoder().discard();
        ctx.disconnect(promise);
    }

    @Override
    default void bind(ChannelHandlerContext ctx, SocketAddress local, ChannelPromise promise) {
        ctx.bind(local, promise);
    }

    @Override
    default void connect(ChannelHandlerContext ctx, SocketAddress remote, SocketAddress local, ChannelPromise promise) {
        ctx.connect(remote, local, promise);
    }

    @Override
    default void deregister(ChannelHandlerContext ctx, ChannelPromise promise) {
        ctx.deregister(promise);
    }

    @Override
    default void read(ChannelHandlerContext ctx) {
        ctx.read();
    }
}
