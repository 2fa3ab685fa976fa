package yastack.proxy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.TimeUnit;
import yastack.kernel.loop.TimerWheel;

/**
 * Relays an upstream connection's events to the exchange's upstream leg currently using it,
 * and closes the connection once it has waited in the pool for the cluster's idle timeout: a
 * timeout on the worker's wheel, armed when the connection goes back to the pool and disarmed
 * when an exchange takes it, so a read on a busy connection costs nothing for it (a Netty
 * IdleStateHandler would note the time of every read and keep a scheduled task per connection).
 */
final class UpstreamHandler extends ChannelInboundHandlerAdapter {
    private final UpstreamCluster cluster;
    private final int endpointIndex;
    /** False on an HTTP/2 stream: its connection, not the stream, is what the cluster counts. */
    private final boolean counted;
    /** The pool's idle timeout, or null (an HTTP/2 stream: its connection has one of its own). */
    private final TimerWheel wheel;
    private final long idleNanos;
    private TimerWheel.Timeout idleTimer;
    private long idleSince;
    private boolean tunnelled;
    private ChannelHandlerContext ctx;
    private UpstreamLeg owner;

    UpstreamHandler(UpstreamCluster cluster, int endpointIndex, boolean counted, TimerWheel wheel, long idleMillis) {
        this.cluster = cluster;
        this.endpointIndex = endpointIndex;
        this.counted = counted;
        this.wheel = idleMillis > 0 ? wheel : null;
        this.idleNanos = TimeUnit.MILLISECONDS.toNanos(idleMillis);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (idleTimer != null) wheel.cancel(idleTimer); // replaced (a reload's cluster adopts the connection)
    }

    void attach(UpstreamLeg leg) {
        this.owner = leg;
        if (idleTimer != null) wheel.cancel(idleTimer);
    }

    /** The exchange is done with the connection: from now on it is idle (pooled, or about to close). */
    void detach() {
        this.owner = null;
        if (wheel == null || tunnelled) return;
        idleSince = wheel.now();
        if (idleTimer == null) idleTimer = new TimerWheel.Timeout(this::idleCheck);
        wheel.armNanos(idleTimer, idleNanos);
    }

    /** The connection became one side of a tunnel (a protocol switch): the tunnel's own idle timeout applies. */
    void tunnelled() {
        this.owner = null;
        this.tunnelled = true;
        if (idleTimer != null) wheel.cancel(idleTimer);
    }

    private void idleCheck() {
        if (owner != null || tunnelled || ctx == null || !ctx.channel().isActive()) return;
        long quiet = wheel.now() - idleSince;
        if (quiet >= idleNanos) ctx.close();
        else wheel.armNanos(idleTimer, idleNanos - quiet);
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
        if (idleTimer != null) wheel.cancel(idleTimer);
        if (counted) cluster.closed(ctx.channel(), endpointIndex);
        UpstreamLeg ex = owner;
        owner = null;
        if (ex != null) ex.onClosed(null);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // The response decoder's: a body that broke its framing, or bytes no request asked for.
        if (cause instanceof DecoderException) cluster.stats.cxProtocolError.inc();
        UpstreamLeg ex = owner;
        owner = null;
        ctx.close();
        if (ex != null) ex.onClosed(cause);
    }
}
