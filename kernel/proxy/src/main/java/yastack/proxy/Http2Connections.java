package yastack.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One worker's HTTP/2 connections to an HTTP/2 cluster. Each request is a stream; streams
 * share a connection per endpoint until it reaches its stream limit (ours or the server's)
 * or receives GOAWAY, and then another connection opens. Requests that arrive while a
 * connection is being opened wait for it instead of each opening their own. A stream
 * channel carries the same HTTP objects as an HTTP/1.1 connection, so the exchange and its
 * upstream leg do not know the difference.
 */
final class Http2Connections {
    private final UpstreamCluster cluster;
    private final int maxStreams;
    private final List<List<Channel>> connections = new ArrayList<>();
    private final List<ArrayDeque<UpstreamCluster.Acquired>> waiting = new ArrayList<>();
    private final boolean[] connecting;

    Http2Connections(UpstreamCluster cluster, int endpoints, int maxStreams) {
        this.cluster = cluster;
        this.maxStreams = maxStreams;
        for (int i = 0; i < endpoints; i++) {
            connections.add(new ArrayList<>());
            waiting.add(new ArrayDeque<>());
        }
        this.connecting = new boolean[endpoints];
    }

    /** A stream on a connection with room, or a new connection; {@code fresh} skips the existing ones. */
    void acquire(int endpoint, UpstreamCluster.Acquired callback, boolean fresh) {
        if (!fresh) {
            for (Channel c : connections.get(endpoint)) {
                if (hasRoom(c)) {
                    openStream(c, endpoint, callback, true);
                    return;
                }
            }
        }
        waiting.get(endpoint).add(callback);
        if (!connecting[endpoint]) connect(endpoint);
    }

    private boolean hasRoom(Channel c) {
        Http2FrameCodec codec = c.pipeline().get(Http2FrameCodec.class);
        if (!c.isActive() || codec == null) return false;
        var conn = codec.connection();
        return !conn.goAwayReceived() && conn.local().canOpenStream() && conn.numActiveStreams() < maxStreams;
    }

    private void connect(int endpoint) {
        ArrayDeque<UpstreamCluster.Acquired> queue = waiting.get(endpoint);
        if (!cluster.connector.reserve()) {
            // HTTP/2 requests do not wait for a connection: every stream it could carry is taken.
            cluster.stats.cxOverflow.inc();
            UpstreamCluster.Acquired a;
            while ((a = queue.poll()) != null) {
                cluster.stats.rqOverflow.inc();
                a.failed(new IllegalStateException("connection limit reached"), true);
            }
            return;
        }
        connecting[endpoint] = true;
        cluster.connector.connectHttp2(cluster.endpoint(endpoint), new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel c) {
                c.pipeline().addLast("idle", new IdleStateHandler(cluster.runtime.idleTimeoutMillis(), 0, 0, TimeUnit.MILLISECONDS));
                c.pipeline().addLast("h2", Http2FrameCodecBuilder.forClient().validateHeaders(true).build());
                c.pipeline().addLast("h2-streams", new Http2MultiplexHandler(new RefusePush()));
                c.pipeline().addLast("h2-idle", new CloseWhenIdle());
            }
        }, (parent, cause) -> {
            connecting[endpoint] = false;
            if (parent == null) {
                UpstreamCluster.Acquired a;
                while ((a = queue.poll()) != null) a.failed(cause, false);
                return;
            }
            SslHandler ssl = parent.pipeline().get(SslHandler.class);
            if (ssl != null && !ApplicationProtocolNames.HTTP_2.equals(ssl.applicationProtocol())) {
                parent.close();
                Exception e = new IllegalStateException("the upstream did not agree to h2 in ALPN");
                UpstreamCluster.Acquired a;
                while ((a = queue.poll()) != null) a.failed(e, false);
                return;
            }
            connections.get(endpoint).add(parent);
            parent.closeFuture().addListener(f -> connections.get(endpoint).remove(parent));
            // The client preface went out on channel-active, before this callback.
            UpstreamCluster.Acquired a;
            while ((a = queue.poll()) != null) {
                // The first streams go on the new connection; any beyond its room open another.
                if (hasRoom(parent) || !parent.isActive()) openStream(parent, endpoint, a, false);
                else acquire(endpoint, a, false);
            }
        });
    }

    private void openStream(Channel parent, int endpoint, UpstreamCluster.Acquired callback, boolean reused) {
        new Http2StreamChannelBootstrap(parent).handler(new ChannelInitializer<Http2StreamChannel>() {
            @Override
            protected void initChannel(Http2StreamChannel ch) {
                ch.pipeline().addLast("codec", new Http2StreamFrameToHttpObjectCodec(false, true));
                ch.pipeline().addLast("upstream", new UpstreamHandler(cluster, endpoint, false, null, 0));
            }
        }).open().addListener(f -> {
            if (f.isSuccess()) callback.ready((Channel) f.getNow(), reused);
            else callback.failed(f.cause(), false);
        });
    }

    /** A reload replaced the cluster: closes the connections without streams; busy ones close when idle. */
    void closeIdle() {
        for (List<Channel> list : connections) {
            for (Channel c : list.toArray(new Channel[0])) {
                Http2FrameCodec codec = c.pipeline().get(Http2FrameCodec.class);
                if (codec == null || codec.connection().numActiveStreams() == 0) c.close();
            }
        }
    }

    /** Streams the server starts (push) are refused: a proxy has nowhere to send them. */
    private static final class RefusePush extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRegistered(ChannelHandlerContext ctx) {
            ctx.close();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
        }
    }

    /** A connection with no stream for the cluster's idle timeout closes. */
    private static final class CloseWhenIdle extends ChannelInboundHandlerAdapter {
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof IdleStateEvent) {
                Http2FrameCodec codec = ctx.pipeline().get(Http2FrameCodec.class);
                if (codec == null || codec.connection().numActiveStreams() == 0) ctx.close();
                return;
            }
            ctx.fireUserEventTriggered(evt);
        }
    }
}
