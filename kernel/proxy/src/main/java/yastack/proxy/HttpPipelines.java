package yastack.proxy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.socket.SocketChannelConfig;
import io.netty.handler.codec.http2.DefaultHttp2Connection;
import io.netty.handler.codec.http2.DefaultHttp2RemoteFlowController;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.UniformStreamByteDistributor;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import yastack.api.config.HttpConnectionManager.CodecType;
import yastack.proxy.edge.Http2FloodGuard;
import yastack.proxy.edge.Http2Limits;

/**
 * The downstream HTTP pipelines of one listener on one worker: HTTP/1.1, or HTTP/2 when
 * TLS negotiated {@code h2}, a connection opened with the HTTP/2 preface or the listener's
 * {@code codec_type} says so — each h2 stream becomes a child channel running the same
 * {@link DownstreamHandler} as an HTTP/1.1 connection, so routing, filters and upstream
 * handling are identical. An HTTP/2 connection announces the listener's stream and window
 * limits, has its frames watched for floods ({@link Http2FloodGuard}) and at most
 * {@code max_outbound_control_frames} control frames (ACKs) queued for a client that does not
 * read them.
 */
final class HttpPipelines {
    /** The HTTP/2 codec's name in a downstream pipeline. */
    static final String H2 = "h2";

    private final ProxyWorker worker;
    private final ListenerStats stats;
    private final String listener;
    private final Supplier<ProxySnapshot> snapshots;

    HttpPipelines(ProxyWorker worker, ListenerStats stats, String listener, Supplier<ProxySnapshot> snapshots) {
        this.worker = worker;
        this.stats = stats;
        this.listener = listener;
        this.snapshots = snapshots;
    }

    /**
     * A connection whose protocol no ALPN chose: HTTP/2 from its first byte when the listener's
     * {@code codec_type} is http2, else HTTP/1.1 (which auto turns to HTTP/2 on the preface).
     */
    void http(ChannelPipeline p) {
        ListenerRuntime rt = runtime(p);
        if (rt == null) return;
        CodecType codec = rt.config().getHttp().getCodecType();
        if (codec == CodecType.HTTP2) http2(p, rt, true);
        else http1(p, rt, codec == CodecType.AUTO);
    }

    /** A connection ALPN agreed on h2 for. */
    void http2(ChannelPipeline p) {
        ListenerRuntime rt = runtime(p);
        if (rt != null) http2(p, rt, true);
    }

    /** The listener's settings now; null, and the connection closed, when a reload removed it as it was accepted. */
    private ListenerRuntime runtime(ChannelPipeline p) {
        ListenerRuntime rt = snapshots.get().listeners().get(listener);
        if (rt == null) p.channel().close();
        return rt;
    }

    // The idle timeout of an HTTP/1.1 connection is DownstreamHandler's (a wheel timeout,
    // no handler of its own); an HTTP/2 connection's is reader idle on the connection.
    private void http1(ChannelPipeline p, ListenerRuntime rt, boolean sniff) {
        p.addLast("codec", new DownstreamCodec(rt.maxHeaderBytes(), rt.headersTimeoutMillis(), sniff ? this : null));
        p.addLast("proxy", new DownstreamHandler(worker, stats, listener, snapshots, false));
    }

    /**
     * An HTTP/1.1 connection whose first bytes are the HTTP/2 client preface (prior knowledge,
     * RFC 9113 3.3; {@code codec_type: auto}, as Envoy's AUTO and HAProxy do): its handlers
     * make way for HTTP/2's. The codec leaves every byte it holds unread, and its removal hands
     * them, preface first, to the HTTP/2 codec. The connection was counted when it opened, by
     * the handler removed here.
     */
    void priorKnowledge(ChannelHandlerContext codec) {
        ChannelPipeline p = codec.pipeline();
        p.remove(DownstreamHandler.class);
        ListenerRuntime rt = runtime(p);
        if (rt == null) {
            stats.cxActive.dec();
            return;
        }
        if (p.channel().config() instanceof SocketChannelConfig c) c.setAllowHalfClosure(false);
        http2(p, rt, false);
        p.remove(codec.handler());
    }

    private void http2(ChannelPipeline p, ListenerRuntime rt, boolean count) {
        if (count) {
            stats.cxTotal.inc();
            stats.cxActive.inc();
        }
        stats.cxHttp2Total.inc();
        stats.cxHttp2Active.inc();
        p.channel().closeFuture().addListener(f -> {
            stats.cxActive.dec();
            stats.cxHttp2Active.dec();
        });
        Http2Limits limits = rt.edge().http2();
        p.addLast("idle", new IdleStateHandler(rt.idleTimeoutMillis(), 0, 0, TimeUnit.MILLISECONDS));
        p.addLast("h2-guard", new Http2FloodGuard(stats.edge, limits.flood(), limits.maxHeaderListSize()));
        // Closing waits for the connection's streams (a drain's GOAWAY); a drain's timeout cuts them.
        // The codec's own empty-DATA check (2 by default) stays behind the guard's, so the
        // configured limit is the one in force (the guard, in front, counts it first).
        Http2FrameCodec codec = new FrameCodecBuilder(uniformlyFlowing(new DefaultHttp2Connection(true))).validateHeaders(true).initialSettings(limits.settings())
                .encoderEnforceMaxQueuedControlFrames(limits.flood().maxOutboundControlFrames())
                .decoderEnforceMaxConsecutiveEmptyDataFrames(Math.max(1, limits.flood().maxConsecutiveEmptyFrames()))
                .gracefulShutdownTimeoutMillis(-1).build();
        p.addLast(H2, codec);
        p.addLast("h2-streams", new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
            @Override
            protected void initChannel(Http2StreamChannel ch) {
                ch.config().setRecvByteBufAllocator(STREAM_READS);
                ch.pipeline().addLast("h2-http", Http2RequestCodec.INSTANCE);
                ch.pipeline().addLast("proxy", new DownstreamHandler(worker, stats, listener, snapshots, true));
            }
        }));
        p.addLast("h2-idle", new IdleClose(codec.connection(), stats));
        // Every connection starts with a 65535-byte window (RFC 9113 6.9.2), which the codec may
        // already have raised for a larger stream window; ours is raised to the configured size at once.
        var connection = codec.connection();
        int raise = limits.initialConnectionWindow() - connection.local().flowController().initialWindowSize(connection.connectionStream());
        if (raise > 0) p.channel().writeAndFlush(new DefaultHttp2WindowUpdateFrame(raise));
        DownstreamHandler.limitConnectionAge(p.channel(), rt.edge().maxConnectionMillis(), stats);
        worker.drain.http2Started(p.channel());
    }

    /**
     * A stream's reads hand on frames the connection has already read, into no buffer of their
     * own, so the size guess Netty's default keeps per channel (a handle and its calculator,
     * ~180 B made per stream) guides nothing; a fixed size makes the handle a small object
     * that counts the frames of a read the same way (at most 16, as the default).
     */
    private static final RecvByteBufAllocator STREAM_READS = new FixedRecvByteBufAllocator(1024).maxMessagesPerRead(16);

    /**
     * Streams share the connection's send window in equal turns. RFC 9113 (5.3) deprecates the
     * priority scheme, clients' signals are advisory and peers ignore them; Netty's default
     * distributor still keeps a weighted priority tree, with a state and a priority queue per
     * stream (~150 B of each stream's garbage, and its scans on every write).
     */
    private static Http2Connection uniformlyFlowing(Http2Connection connection) {
        connection.remote().flowController(new DefaultHttp2RemoteFlowController(connection, new UniformStreamByteDistributor(connection)));
        return connection;
    }

    /** Netty's builder, for a connection made here (its setter is protected). */
    private static final class FrameCodecBuilder extends Http2FrameCodecBuilder {
        FrameCodecBuilder(Http2Connection connection) {
            connection(connection);
        }
    }

    /**
     * The listener's idle_timeout on an HTTP/2 connection: when nothing has been read for that
     * long and no stream is open, it closes (the codec says GOAWAY first). The reader-idle
     * events come from the connection's "idle" handler and pass the codec unchanged. Last in
     * the pipeline, it also ends what the codec passes on as failed: a connection error
     * (a bad preface, a frame out of place; the codec has sent its GOAWAY) is counted, an
     * I/O error (a reset) closes the connection as it would an HTTP/1.1 one.
     */
    private static final class IdleClose extends ChannelInboundHandlerAdapter {
        private final Http2Connection connection;
        private final ListenerStats stats;

        IdleClose(Http2Connection connection, ListenerStats stats) {
            this.connection = connection;
            this.stats = stats;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (!(evt instanceof IdleStateEvent)) {
                ctx.fireUserEventTriggered(evt);
                return;
            }
            if (connection.numActiveStreams() == 0 && ctx.channel().isActive()) {
                stats.cxIdleTimeout.inc();
                ctx.close();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (Http2CodecUtil.getEmbeddedHttp2Exception(cause) != null) stats.cxProtocolError.inc();
            ctx.close();
        }
    }

    /** Picks the pipeline from the ALPN result once the TLS handshake is done. */
    ApplicationProtocolNegotiationHandler alpn() {
        return new ApplicationProtocolNegotiationHandler(ApplicationProtocolNames.HTTP_1_1) {
            @Override
            protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
                // codec_type http2 takes a client that negotiated nothing (validation keeps http/1.1 out of its alpn)
                if (ApplicationProtocolNames.HTTP_2.equals(protocol)) http2(ctx.pipeline());
                else http(ctx.pipeline());
            }

            @Override
            protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
                ctx.close();
            }
        };
    }
}
