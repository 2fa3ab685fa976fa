package yastack.proxy;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.SocketChannelConfig;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import yastack.api.RouteDecision;

/**
 * One downstream HTTP/1.1 connection. Requests are served strictly one at a time;
 * pipelined requests that arrive early wait (already decoded) until the response before
 * them is complete, so responses can never be reordered.
 */
final class DownstreamHandler extends ChannelInboundHandlerAdapter implements StreamClock.IdleConnection {
    static final int PAUSE_PIPELINE = 1;
    static final int PAUSE_UPSTREAM = 2;
    static final int PAUSE_BACKPRESSURE = 4;
    static final int PAUSE_FILTER = 8;

    final ProxyWorker worker;
    final ListenerStats stats;
    private final String listenerName;
    private final Supplier<ProxySnapshot> snapshots;
    /** Messages read after the current request (pipelined, rare), waiting their turn; made by the first one. */
    private ArrayDeque<Object> queued;
    private ChannelHandlerContext ctx;
    private HttpExchange current;
    private int paused;
    private int requests;
    private boolean closing;
    /** Counted as an HTTP/1.1 connection (downstream_cx_http1_*): from its first message on. */
    private boolean http1;
    private boolean inputShutdown;
    private boolean lingering;
    private AsciiString remote;
    private final boolean stream;
    private StreamClock clock;
    /** max_connection_duration passed: the connection closes after the exchange in flight. */
    private boolean draining;

    /** @param stream true for an HTTP/2 stream (counted as a request, not a connection) */
    DownstreamHandler(ProxyWorker worker, ListenerStats stats, String listenerName, Supplier<ProxySnapshot> snapshots,
                      boolean stream) {
        this.stream = stream;
        this.worker = worker;
        this.stats = stats;
        this.listenerName = listenerName;
        this.snapshots = snapshots;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        // Added after the channel became active (ALPN, h2 streams): count it now.
        if (ctx.channel().isActive() && this.ctx == null) channelActive(ctx);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (this.ctx != null) {
            ctx.fireChannelActive();
            return;
        }
        this.ctx = ctx;
        // A client that half-closes after its requests (RFC 9112 9.6) still gets the answers.
        if (ctx.channel().config() instanceof SocketChannelConfig c) c.setAllowHalfClosure(true);
        this.clock = new StreamClock(worker.timeouts);
        if (!stream) {
            stats.cxTotal.inc();
            stats.cxActive.inc();
            ListenerRuntime rt = snapshots.get().listeners().get(listenerName);
            if (rt != null && rt.edge().maxConnectionMillis() > 0) {
                ctx.executor().schedule(this::maxDurationReached, rt.edge().maxConnectionMillis(), TimeUnit.MILLISECONDS);
            }
            if (rt != null && rt.idleTimeoutMillis() > 0) clock.watchIdle(this, TimeUnit.MILLISECONDS.toNanos(rt.idleTimeoutMillis()));
        }
        ctx.fireChannelActive();
    }

    /**
     * Removed from an open connection: it turned to HTTP/2 (prior knowledge) before its first
     * request, and its watches end here. (A closed one's ended in channelInactive.)
     */
    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (clock != null && ctx.channel().isActive()) clock.stop();
    }

    /** max_connection_duration: an idle connection closes now, a busy one after its exchange. */
    private void maxDurationReached() {
        if (ctx.isRemoved() || !ctx.channel().isActive()) return;
        stats.edge.cxMaxDuration.inc();
        draining = true;
        closeIfIdle(ctx);
    }

    /**
     * An HTTP/2 connection older than {@code millis} (if positive) is drained: GOAWAY, and it
     * closes once its streams are done.
     */
    static void limitConnectionAge(Channel connection, long millis, ListenerStats stats) {
        if (millis <= 0) return;
        connection.eventLoop().schedule(() -> {
            if (!connection.isActive()) return;
            stats.edge.cxMaxDuration.inc();
            connection.close();
        }, millis, TimeUnit.MILLISECONDS);
    }

    @Override
    public boolean busy() {
        return current != null || hasQueued();
    }

    /** idle_timeout (Envoy's): quiet that long (nothing read, no exchange finished) with nothing in flight. */
    @Override
    public void idleExpired() {
        if (closing || !ctx.channel().isActive()) return;
        stats.cxIdleTimeout.inc();
        closing = true;
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (!stream) stats.cxActive.dec();
        if (http1) stats.cxHttp1Active.dec();
        if (clock != null) clock.stop();
        if (current != null) {
            stats.cxDestroyActiveRq.inc();
            current.onDownstreamClosed();
            current = null;
        }
        dropQueued();
    }

    private void dropQueued() {
        if (queued == null) return;
        queued.forEach(ReferenceCountUtil::release);
        queued.clear();
    }

    /** The plugin view of a new stream on this connection; {@code client} as the listener trusts it. */
    ExchangeStream newStream(long startNanos, InetSocketAddress client) {
        return new ExchangeStream(worker.nextStreamId(), listenerName, client, ctx.channel(), startNanos, worker.pluginWorker(), worker.calls);
    }

    /** A deadline of the exchange in flight may have come closer. */
    void deadlineMoved(HttpExchange ex) {
        clock.deadlineMoved(ex);
    }

    /** True for an HTTP/2 stream (its request arrives converted to an HTTP/1.1 message). */
    boolean isHttp2Stream() {
        return stream;
    }

    /** The client's address as text (the PROXY protocol's, if the listener reads it). */
    AsciiString remoteAddress() {
        if (remote == null) {
            InetSocketAddress client = ProxyProtocolReader.clientAddress(ctx.channel());
            remote = client != null ? worker.clientAddresses.text(client.getAddress())
                    : new AsciiString(String.valueOf(ctx.channel().remoteAddress()));
        }
        return remote;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!http1 && !stream) {
            // The codec passes nothing on before it has seen an HTTP/1.1 message (not the HTTP/2
            // preface), so the connection is counted as HTTP/1.1 here, as Envoy does once its codec is chosen.
            http1 = true;
            stats.cxHttp1Total.inc();
            stats.cxHttp1Active.inc();
        }
        if (closing) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (current != null && current.requestComplete() || hasQueued()) {
            if (queued == null) queued = new ArrayDeque<>(2);
            queued.add(msg);
            pause(PAUSE_PIPELINE);
            return;
        }
        dispatch(msg);
    }

    private void dispatch(Object msg) {
        if (msg instanceof HttpRequest req) {
            ProxySnapshot snap = snapshots.get();
            ListenerRuntime listener = snap.listeners().get(listenerName);
            if (listener == null) {
                // A reload removed this listener: its kept-alive connections end at the next request.
                ReferenceCountUtil.release(msg);
                closing = true;
                ctx.close();
                return;
            }
            requests++;
            stats.rqTotal.inc();
            stats.rqActive.inc();
            current = new HttpExchange(this, ctx, req, listener, snap);
            clock.watch(current);
            current.start();
            // HTTP/2 streams arrive as one FullHttpRequest: its body is the request's last content.
            if (msg instanceof FullHttpRequest full) {
                LastHttpContent last = new DefaultLastHttpContent(full.content(), full.trailingHeaders());
                if (current != null) current.onRequestContent(last);
                else last.release();
            }
        } else if (msg instanceof HttpContent c) {
            if (current != null) current.onRequestContent(c);
            else c.release();
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        clock.active();
        if (current != null) current.flushUpstream();
        ctx.flush();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (current != null) current.onDownstreamWritabilityChanged(ctx.channel().isWritable());
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            inputShutdown = true;
            if (lingering) ctx.close(); // a lingering close ends when the client is done sending
            else closeIfNothingLeft();
            return;
        }
        if (evt == ConnectionDrain.CLOSE_IDLE) {
            if (requests == 0) {
                // Accepted just before the listeners closed: its first request may be on its way
                // or already in the socket, unread. Closed now, that request would be reset on a
                // fresh connection, which a client does not retry; so its response closes it, or
                // the grace ends it.
                draining = true;
                ctx.executor().schedule(() -> closeIfIdle(ctx), ConnectionDrain.FIRST_REQUEST_GRACE_MILLIS,
                        TimeUnit.MILLISECONDS);
                return;
            }
            closeIfIdle(ctx);
            return;
        }
    }

    /** Closes the connection if it is open and nothing is in flight or waiting on it. */
    private void closeIfIdle(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive() && current == null && !hasQueued()) {
            closing = true;
            ctx.close();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }

    /** Requests read after the current one (pipelined), waiting their turn. */
    boolean hasQueued() {
        return queued != null && !queued.isEmpty();
    }

    /** The current exchange switched protocols (its 101 is written): the connection becomes a tunnel to {@code upstream}. */
    void becomeTunnel(Channel upstream, long idleMillis) {
        current = null;
        paused = 0;
        clock.stopIdle(); // the tunnel has an idle timeout of its own
        stats.upgradesTotal.inc();
        UpgradeTunnel.open(ctx.channel(), upstream, idleMillis, stats.upgradesActive);
    }

    /** Whether the response being started should carry {@code Connection: close}. */
    boolean closeAfterThisRequest(int max) {
        if (closing || draining || (max > 0 && requests >= max)) return true;
        if (!stream && worker.drain.draining()) return true;
        if (worker.overload.keepAlive()) return false;
        // The overload monitor's disable_http_keepalive: HTTP/2 connections are told with GOAWAY when the stream ends.
        if (!stream) stats.edge.overloadDisableKeepalive.inc();
        return !stream;
    }

    /** An exchange ended; {@code status} 0 when no response head went out (it was cut short). */
    void recordCompletion(HttpExchange ex, int status, long nanos) {
        stats.rqActive.dec();
        if (status != 0) stats.countStatus(status);
        stats.rqTime.recordMicros(nanos / 1000);
        RouteDecision.ToCluster forward = ex.forward();
        if (forward != null && !forward.routeName().isEmpty()) {
            RouteStats route = stats.routes.get(forward.virtualHost().isEmpty() ? listenerName : forward.virtualHost(), forward.routeName());
            if (route != null) route.record(status, nanos);
        }
    }

    /** The exchange is fully answered (and its request fully read). */
    void exchangeDone(HttpExchange ex, boolean close) {
        if (current != ex) return;
        current = null;
        clock.finished(ex);
        clock.active();
        close |= draining;
        if (stream && !worker.overload.keepAlive()) goAwayParent();
        // A process drain does not close here: a response that started before it promised
        // keep-alive, and the client may already be sending its next request, which closing
        // now would reset. The next response carries Connection: close instead, and an idle
        // connection closes with the listeners.
        if (close) {
            closing = true;
            dropQueued();
            if (!ex.requestComplete() && ctx.channel() instanceof SocketChannel) lingerClose();
            else ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        // Hand over queued messages: the next request head and then its body pieces, which
        // were decoded along with it and are needed before that request can complete.
        while (hasQueued() && (current == null || !current.requestComplete())) dispatch(queued.poll());
        // Not inside a read, so channelReadComplete will not flush what was written upstream.
        if (current != null) current.flushUpstream();
        if (!hasQueued() && (current == null || !current.requestComplete())) resume(PAUSE_PIPELINE);
        closeIfNothingLeft();
    }

    /**
     * The answer went out before the request body was read (413, a refused request): closing
     * now would make the kernel answer the client's remaining body with a reset, which can
     * destroy the response before the client reads it. So, like nginx's lingering close: send
     * FIN after the response, keep reading and discarding until the client closes, for at most
     * {@link #LINGER_MILLIS}.
     */
    private void lingerClose() {
        paused = 0;
        ctx.channel().config().setAutoRead(true);
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> {
            if (!f.isSuccess() || inputShutdown) {
                ctx.close();
                return;
            }
            lingering = true;
            ((SocketChannel) ctx.channel()).shutdownOutput();
            ctx.executor().schedule(() -> ctx.close(), LINGER_MILLIS, TimeUnit.MILLISECONDS);
        });
    }

    static final long LINGER_MILLIS = 5_000;

    /** Under memory pressure an HTTP/2 connection is told to go (GOAWAY) and closes when its streams are done. */
    private void goAwayParent() {
        Channel parent = ctx.channel().parent();
        if (parent == null || !parent.isActive() || parent.attr(GOING_AWAY).getAndSet(Boolean.TRUE) != null) return;
        stats.edge.overloadDisableKeepalive.inc();
        parent.close();
    }

    private static final AttributeKey<Boolean> GOING_AWAY = AttributeKey.valueOf("yastack.goingAway");

    /** After the client half-closed: close once every complete request is answered; an incomplete one never will be. */
    private void closeIfNothingLeft() {
        if (!inputShutdown || closing || hasQueued() || (current != null && current.requestComplete())) return;
        closing = true;
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    /** Tears the connection down mid-response (truncated upstream response, timeout after headers). */
    void abort() {
        current = null;
        closing = true;
        if (ctx.channel() instanceof SocketChannel) {
            ctx.flush();
        }
        ctx.close();
    }

    void pause(int reason) {
        int before = paused;
        paused |= reason;
        if (before == 0) ctx.channel().config().setAutoRead(false);
    }

    void resume(int reason) {
        if ((paused & reason) == 0) return;
        paused &= ~reason;
        if (paused == 0) {
            ctx.channel().config().setAutoRead(true);
            ctx.read();
        }
    }
}
