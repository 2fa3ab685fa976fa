package yastack.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxyMessageEncoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import yastack.kernel.stats.Counter;

/**
 * The PROXY protocol header (v1 text or v2 binary) that a load balancer in front puts at
 * the start of each connection (listeners[].proxy_protocol), and the one this proxy puts in
 * front of L4 connections to clusters that ask for it (clusters[].proxy_protocol). {@link ProxyV1Reader}
 * reads a v1 header, Netty's decoder a v2 one; this
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
        p.addLast("proxy-protocol-v1", new ProxyV1Reader("proxy-protocol"));
        p.addLast("proxy-protocol", new HAProxyMessageDecoder());
        p.addLast("proxy-protocol-reader", new ProxyProtocolReader(errors, rest));
    }

    /** The client of a connection (or of an HTTP/2 stream's connection): the PROXY header's source, else the peer. */
    static InetSocketAddress clientAddress(Channel ch) {
        Channel c = ch instanceof Http2StreamChannel s ? s.parent() : ch;
        // hasAttr first: attr() would add an attribute to every connection just to read it.
        if (c.hasAttr(SOURCE)) {
            InetSocketAddress source = c.attr(SOURCE).get();
            if (source != null) return source;
        }
        return c.remoteAddress() instanceof InetSocketAddress a ? a : null;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        timeout = ctx.executor().schedule(() -> fail(ctx), TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (done) {
            // Refused already: Netty's decoder may go on to decode a header that followed the bad
            // bytes in the same read. Nothing after the refusal is read.
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof ProxyV1Reader.Header h) {
            if (h.source() != null) ctx.channel().attr(SOURCE).set(h.source());
            proceed(ctx);
            return;
        }
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
        proceed(ctx);
    }

    private void proceed(ChannelHandlerContext ctx) {
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

    /**
     * The upstream side (clusters[].proxy_protocol): an L4 connection's pipeline that puts a
     * header naming {@code client}, and the address it reached us on, in front of its bytes.
     */
    static ChannelInitializer<Channel> sending(int version, Channel client, ChannelHandler relay) {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                sendHeader(ch.pipeline(), version, clientAddress(client),
                        client.localAddress() instanceof InetSocketAddress l ? l : null);
                ch.pipeline().addLast("relay", relay);
            }
        };
    }

    /**
     * Makes a connection's first bytes a PROXY header, ahead of TLS if any: the client's
     * addresses, or none ({@code source} null: a health check's own connection, LOCAL in v2).
     */
    static void sendHeader(ChannelPipeline p, int version, InetSocketAddress source, InetSocketAddress destination) {
        // The writer's output must pass the encoder, so the encoder sits nearer the socket.
        p.addFirst("proxy-protocol-header", new ChannelInboundHandlerAdapter() {
            @Override
            public void channelActive(ChannelHandlerContext ctx) {
                ctx.writeAndFlush(header(version, source, destination));
                ctx.pipeline().remove(this);
                ctx.pipeline().remove("proxy-protocol-encoder");
                ctx.fireChannelActive();
            }
        });
        p.addFirst("proxy-protocol-encoder", HAProxyMessageEncoder.INSTANCE);
    }

    private static HAProxyMessage header(int version, InetSocketAddress source, InetSocketAddress destination) {
        HAProxyProtocolVersion v = version == 2 ? HAProxyProtocolVersion.V2 : HAProxyProtocolVersion.V1;
        if (source == null && v == HAProxyProtocolVersion.V2) {
            return new HAProxyMessage(v, HAProxyCommand.LOCAL, HAProxyProxiedProtocol.UNKNOWN, null, null, 0, 0);
        }
        if (source == null || destination == null
                || (source.getAddress() instanceof Inet4Address) != (destination.getAddress() instanceof Inet4Address)) {
            return new HAProxyMessage(v, HAProxyCommand.PROXY, HAProxyProxiedProtocol.UNKNOWN, null, null, 0, 0);
        }
        HAProxyProxiedProtocol family = source.getAddress() instanceof Inet4Address
                ? HAProxyProxiedProtocol.TCP4 : HAProxyProxiedProtocol.TCP6;
        return new HAProxyMessage(v, HAProxyCommand.PROXY, family, source.getAddress().getHostAddress(),
                destination.getAddress().getHostAddress(), source.getPort(), destination.getPort());
    }
}
