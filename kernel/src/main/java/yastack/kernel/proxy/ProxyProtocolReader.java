package yastack.kernel.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import yastack.kernel.stats.Counter;

/**
 * The PROXY protocol header (v1 text or v2 binary) that a load balancer in front puts at
 * the start of each connection (listeners[].proxy_protocol). Netty's decoder reads it; this
 * handler keeps the source address it names as the connection's client and then sets up
 * the rest of the pipeline (TLS, HTTP or the L4 relay), which sees the bytes after the
 * header. A connection without a valid header, or one that does not send it within
 * {@link #TIMEOUT_MILLIS}, is closed and counted.
 */
final class ProxyProtocolReader extends ChannelInboundHandlerAdapter {
    static final long TIMEOUT_MILLIS = 10_000;
    private static final AttributeKey<InetSocketAddress> SOURCE = AttributeKey.valueOf("yastack.proxy-protocol.source");

    private final Counter errors;
    private final Consumer<ChannelPipeline> rest;
    private ScheduledFuture<?> timeout;
    private boolean done;

    private ProxyProtocolReader(Counter errors, Consumer<ChannelPipeline> rest) {
        this.errors = errors;
        this.rest = rest;
    }

    /** Puts the header reader in front; {@code rest} sets up what follows once the header is read. */
    static void install(ChannelPipeline p, Counter errors, Consumer<ChannelPipeline> rest) {
        p.addLast("proxy-protocol", new HAProxyMessageDecoder());
        p.addLast("proxy-protocol-reader", new ProxyProtocolReader(errors, rest));
    }

    /** The client of a connection (or of an HTTP/2 stream's connection): the PROXY header's source, else the peer. */
    static InetSocketAddress clientAddress(Channel ch) {
        Channel c = ch instanceof Http2StreamChannel s ? s.parent() : ch;
        InetSocketAddress source = c.attr(SOURCE).get();
        if (source != null) return source;
        return c.remoteAddress() instanceof InetSocketAddress a ? a : null;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        timeout = ctx.executor().schedule(() -> fail(ctx), TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof HAProxyMessage m)) {
            ReferenceCountUtil.release(msg);
            fail(ctx);
            return;
        }
        try {
            // LOCAL (a balancer's own health check) and UNKNOWN carry no client: the peer stands.
            if (m.command() == HAProxyCommand.PROXY && m.sourceAddress() != null) {
                ctx.channel().attr(SOURCE).set(new InetSocketAddress(InetAddress.ofLiteral(m.sourceAddress()), m.sourcePort()));
            }
        } catch (IllegalArgumentException e) {
            fail(ctx);
            return;
        } finally {
            m.release();
        }
        done = true;
        if (timeout != null) timeout.cancel(false);
        ChannelPipeline p = ctx.pipeline();
        p.remove(this);
        rest.accept(p);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        fail(ctx); // HAProxyProtocolException: not a PROXY header, or a malformed one
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (timeout != null) timeout.cancel(false);
        ctx.fireChannelInactive();
    }

    private void fail(ChannelHandlerContext ctx) {
        if (done) return;
        done = true;
        errors.inc();
        ctx.close();
    }
}
