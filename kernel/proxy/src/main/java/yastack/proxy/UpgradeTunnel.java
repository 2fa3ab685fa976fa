package yastack.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import yastack.kernel.stats.Counter;

/**
 * HTTP/1.1 Upgrade (RFC 9110 7.8) through the proxy, for the protocols a listener lists in
 * {@code upgrade_configs} (WebSocket, typically). The request goes upstream with its
 * Upgrade; only a 101 naming the same protocol turns the two connections into a byte
 * tunnel. Any other answer is an ordinary response and both connections stay HTTP, so a
 * client cannot get bytes past the request parser by claiming an upgrade that did not
 * happen (the h2c and WebSocket smuggling tricks).
 */
final class UpgradeTunnel {
    private UpgradeTunnel() {}

    /**
     * The Upgrade value to send upstream when {@code request} asks for a protocol the listener
     * allows, else null (the request goes on as plain HTTP, its Upgrade stripped). An upgrade
     * needs HTTP/1.1, "upgrade" in Connection and no body; HTTP/2 streams cannot upgrade.
     */
    static String requested(HttpRequest request, Set<String> allowed, boolean h2Stream, boolean hasBody) {
        if (allowed.isEmpty() || h2Stream || hasBody || !request.protocolVersion().equals(HttpVersion.HTTP_1_1)) return null;
        String upgrade = request.headers().get(HttpHeaderNames.UPGRADE);
        if (upgrade == null || !allowed.contains(protocolName(upgrade))) return null;
        for (String value : request.headers().getAll(HttpHeaderNames.CONNECTION)) {
            for (String token : value.split(",")) {
                if (token.trim().equalsIgnoreCase("upgrade")) return upgrade.trim();
            }
        }
        return null;
    }

    /** A 101 that switches to the protocol that was asked for (the first one listed). */
    static boolean accepted(HttpResponse response, String requested) {
        String upgrade = response.headers().get(HttpHeaderNames.UPGRADE);
        return upgrade != null && protocolName(upgrade).equals(protocolName(requested));
    }

    /** "websocket" of "WebSocket", "foo" of "foo/2, bar". */
    private static String protocolName(String upgrade) {
        String first = upgrade.split(",", 2)[0].trim();
        int slash = first.indexOf('/');
        return (slash < 0 ? first : first.substring(0, slash)).toLowerCase(Locale.ROOT);
    }

    /** The upstream request's hop-by-hop fields for an upgrade: the only ones that are passed on. */
    static void requestUpgrade(HttpHeaders upstreamHeaders, String upgrade) {
        upstreamHeaders.set(HttpHeaderNames.CONNECTION, HttpHeaderNames.UPGRADE);
        upstreamHeaders.set(HttpHeaderNames.UPGRADE, upgrade);
    }

    /**
     * Turns the downstream connection (whose 101 has been written) and the upstream one into
     * a tunnel: both HTTP codecs leave their pipelines (bytes they had buffered pass on into
     * the tunnel), and a pipe on each side relays to the other with backpressure and
     * half-close. The connection handlers stay behind the pipes for their close accounting;
     * the tunnel closes after {@code idleMillis} without a byte either way.
     */
    static void open(Channel down, Channel up, long idleMillis, Counter active) {
        active.inc();
        down.closeFuture().addListener(f -> active.dec());
        ChannelPipeline dp = down.pipeline();
        dp.addBefore("proxy", "tunnel", new Pipe(up));
        dp.remove("codec");
        if (idleMillis > 0) dp.addFirst("idle", new IdleStateHandler(0, 0, idleMillis, TimeUnit.MILLISECONDS));
        ChannelPipeline upp = up.pipeline();
        upp.addBefore("upstream", "tunnel", new Pipe(down));
        upp.remove("codec");
        down.config().setAutoRead(true);
        up.config().setAutoRead(true);
    }

    /** One side of the tunnel: what this channel reads goes to {@code peer}. */
    private static final class Pipe extends ChannelInboundHandlerAdapter {
        private final Channel peer;

        Pipe(Channel peer) {
            this.peer = peer;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof ByteBuf b)) {
                // The decoder's end-of-message marker for the 101; nothing of the tunnel.
                ReferenceCountUtil.release(msg);
                return;
            }
            if (!b.isReadable()) {
                b.release();
                return;
            }
            peer.write(b);
            if (!peer.isWritable()) ctx.channel().config().setAutoRead(false);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            peer.flush();
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            peer.config().setAutoRead(ctx.channel().isWritable());
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownEvent) {
                TcpProxyHandler.shutdownOutput(peer, ctx.channel());
            } else if (evt instanceof IdleStateEvent) {
                ctx.close();
            }
            // Other events (TLS close notifications, ...) mean nothing to the tunnel.
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            TcpProxyHandler.closeOnFlush(peer);
            ctx.fireChannelInactive(); // the connection handler behind counts the close
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
