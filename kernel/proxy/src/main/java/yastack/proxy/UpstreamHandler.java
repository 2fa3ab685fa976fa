package yastack.proxy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;

/** Relays an upstream connection's events to the exchange's upstream leg currently using it. */
final class UpstreamHandler extends ChannelInboundHandlerAdapter {
    private final UpstreamCluster cluster;
    private final int endpointIndex;
    /** False on an HTTP/2 stream: its connection, not the stream, is what the cluster counts. */
    private final boolean counted;
    private UpstreamLeg owner;

    UpstreamHandler(UpstreamCluster cluster, int endpointIndex, boolean counted) {
        this.cluster = cluster;
        this.endpointIndex = endpointIndex;
        this.counted = counted;
    }

    void attach(UpstreamLeg leg) {
        this.owner = leg;
    }

    void detach() {
        this.owner = null;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        UpstreamLeg ex = owner;
        if (ex == null) {
            // Bytes on an idle pooled connection: the upstream is confused; do not reuse it.
            ReferenceCountUtil.release(msg);
            ctx.close();
            return;
        }
        ex.onMessage(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        UpstreamLeg ex = owner;
        if (ex != null) ex.onReadComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        UpstreamLeg ex = owner;
        if (ex != null) ex.onWritabilityChanged(ctx.channel().isWritable());
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (counted) cluster.closed(ctx.channel(), endpointIndex);
        UpstreamLeg ex = owner;
        owner = null;
        if (ex != null) ex.onClosed(null);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        UpstreamLeg ex = owner;
        owner = null;
        ctx.close();
        if (ex != null) ex.onClosed(cause);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent && owner == null) ctx.close();
    }
}
