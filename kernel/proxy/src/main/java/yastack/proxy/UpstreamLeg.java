package yastack.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import yastack.api.HashKey;
import yastack.api.RouteDecision;
import yastack.proxy.cluster.Balanced;
import yastack.proxy.trace.ExchangeTrace;

/**
 * The upstream side of one exchange: the endpoint, the connection it borrows, the request
 * body on its way up, the timeouts, and the tries. A pooled connection found closed is
 * tried again at once on a new connection; the route's retry policy retries failures
 * after a back-off, on another endpoint when there is one. Lives on the exchange's worker
 * thread, as do the connection and every callback here.
 */
final class UpstreamLeg extends UpstreamLegSlots implements UpstreamCluster.Acquired {
    private final HttpExchange exchange;
    private final DownstreamHandler down;
    private final ChannelHandlerContext dctx;
    private final HttpRequest upstreamRequest;
    private final Balanced target;
    private final HashKey hashKey;
    /** Idempotent and bodiless (RFC 9112 9.3.1): safe to send again when a pooled connection was closing. */
    private final boolean staleRetriable;
    private final RetryState retry;
    private final boolean upgrade;
    /** Body waiting for a connection (or kept for the next try); made when needed. */
    private ArrayDeque<HttpContent> pendingBody;

    private int endpointIndex;
    private int previousEndpoint = -1;
    private Channel upstream;
    private UpstreamHandler handler;
    private boolean reused;
    private boolean staleRetried;
    private boolean retryLimitHit;
    private boolean lbActive;
    private boolean requestForwarded;
    /** Tries so far: the first, retries, not a stale pooled connection's second send. */
    private int attempts;

    UpstreamLeg(HttpExchange exchange, DownstreamHandler down, ChannelHandlerContext dctx, UpstreamCluster cluster,
                int endpointIndex, Balanced target, HttpRequest upstreamRequest, RouteDecision.ToCluster forward, boolean staleRetriable,
                boolean upgrade) {
        super(down.worker.timeouts, dctx.executor(), forward.timeoutMillis(), forward.retry() == null || upgrade ? null : forward.retry(),
                cluster);
        this.exchange = exchange;
        this.down = down;
        this.dctx = dctx;
        this.endpointIndex = endpointIndex;
        this.target = target;
        this.hashKey = forward.hashKey();
        this.upstreamRequest = upstreamRequest;
        // An upgrade gets a connection of its own (it never goes back to the pool) and one try.
        this.staleRetriable = staleRetriable && !upgrade;
        this.retry = forward.retry() == null || upgrade ? null : new RetryState(forward.retry());
        this.upgrade = upgrade;
    }

    /** The upstream speaks HTTP/2 (each try is a stream). */
    boolean http2() {
        return cluster.runtime.http2();
    }

    int endpointIndex() {
        return endpointIndex;
    }

    int attempts() {
        return attempts;
    }

    /** A retriable failure came after the last retry (the access log's URX). */
    boolean retryLimitHit() {
        return retryLimitHit;
    }

    void start() {
        attempts++;
        ExchangeTrace trace = exchange.trace();
        if (trace != null) {
            trace.tryStarted(cluster.runtime.name(), cluster.endpoint(endpointIndex).toString(), attempts,
                    upstreamRequest.method().name(), "http://" + upstreamRequest.headers().get(HttpHeaderNames.HOST) + upstreamRequest.uri());
        }
        cluster.requestStarted(endpointIndex);
        lbActive = true;
        acquire(upgrade);
    }

    /**
     * Gets a connection; reads from the client pause only while one is being opened (a
     * pooled connection arrives synchronously, and toggling reads costs two epoll_ctl calls).
     */
    private void acquire(boolean fresh) {
        cluster.acquire(endpointIndex, this, fresh);
        if (upstream == null && !exchange.finished()) down.pause(DownstreamHandler.PAUSE_UPSTREAM);
    }

    @Override
    public void ready(Channel channel, boolean reused) {
        if (exchange.finished()) {
            // The downstream went away while we were connecting.
            cluster.release(channel, endpointIndex);
            return;
        }
        if (!takeRequestSlot()) {
            cluster.release(channel, endpointIndex);
            endLb();
            cluster.stats.rqOverflow.inc();
            overflowed("upstream request limit reached\n");
            return;
        }
        this.upstream = channel;
        this.reused = reused;
        this.handler = channel.pipeline().get(UpstreamHandler.class);
        handler.attach(this);
        if (exchange.trace() != null) exchange.trace().inject(upstreamRequest.headers());
        // A write that fails (the encoder refusing a message included) is an upstream failure,
        // not something to wait out until the route timeout; one that fails at once has been
        // handled (onClosed) before write() returns.
        channel.write(upstreamRequest, channel.voidPromise()); // a failure fires exceptionCaught upstream
        if (upstream != channel) return;
        HttpContent c;
        while (pendingBody != null && (c = pendingBody.poll()) != null) channel.write(c, channel.voidPromise());
        channel.flush();
        if (upstream != channel) return;
        if (requestForwarded) armTimeouts();
        down.resume(DownstreamHandler.PAUSE_UPSTREAM);
        if (!upstream.isWritable()) down.pause(DownstreamHandler.PAUSE_BACKPRESSURE);
    }

    @Override
    public void failed(Throwable cause, boolean overflow) {
        if (exchange.finished()) return;
        if (!overflow) cluster.tryFailed(endpointIndex, false);
        if (!overflow && tryAgain(retry != null && retry.rules().retriesConnectFailure(), "UF")) return;
        endLb();
        down.resume(DownstreamHandler.PAUSE_UPSTREAM);
        if (overflow) overflowed("upstream connection limit reached\n");
        else exchange.upstreamFailed("UF", HttpResponseStatus.SERVICE_UNAVAILABLE, "upstream connect error\n");
    }

    /** A circuit breaker is open: 503 with x-yastack-overloaded, as Envoy's x-envoy-overloaded (flag UO). */
    private void overflowed(String reason) {
        down.resume(DownstreamHandler.PAUSE_UPSTREAM);
        exchange.reply(LocalReplies.overloaded(exchange.localResponse(HttpResponseStatus.SERVICE_UNAVAILABLE, reason)), "UO", false);
    }

    /** Request body on its way up; {@code flush} when no downstream read-complete will follow. */
    void body(HttpContent content, boolean last, boolean flush) {
        if (retry != null) retry.keep(content);
        if (upstream != null) {
            upstream.write(content, upstream.voidPromise()); // a failure fires exceptionCaught upstream
            if (flush) upstream.flush();
            if (!upstream.isWritable()) down.pause(DownstreamHandler.PAUSE_BACKPRESSURE);
        } else {
            pending().add(content);
        }
        if (last) {
            requestForwarded = true;
            // The route timeout runs from the end of the request, waiting for a connection included.
            armRouteTimeout();
            if (upstream != null) armTimeouts();
        }
    }

    void flush() {
        if (upstream != null) upstream.flush();
    }

    void setAutoRead(boolean on) {
        if (upstream != null) upstream.config().setAutoRead(on);
    }

    // ---- events from the connection's UpstreamHandler ----

    void onMessage(Object msg) {
        upstreamBytes();
        exchange.response().onUpstreamMessage(msg);
    }

    void onReadComplete() {
        exchange.response().flushDownstream();
    }

    void onWritabilityChanged(boolean writable) {
        if (writable) down.resume(DownstreamHandler.PAUSE_BACKPRESSURE);
        else down.pause(DownstreamHandler.PAUSE_BACKPRESSURE);
    }

    void onClosed(Throwable cause) {
        if (exchange.finished()) return;
        detach(false);
        if (!exchange.responseStarted()) {
            if (reused && !staleRetried && staleRetriable) {
                // The upstream closed the pooled connection as we reused it (its FIN crossed our
                // request). Once more, on a new connection: another pooled one may be closing too.
                staleRetried = true;
                cluster.stats.rqRetry.inc();
                refill();
                acquire(true);
                return;
            }
            cluster.stats.rqReset.inc();
            cluster.tryFailed(endpointIndex, false);
            if (tryAgain(retry != null && retry.rules().retriesReset(), "UR")) return;
        } else {
            cluster.stats.rqReset.inc();
            cluster.tryFailed(endpointIndex, false);
        }
        exchange.upstreamFailed("UR", HttpResponseStatus.BAD_GATEWAY, "upstream reset before response\n");
    }

    // ---- the response head ----

    /** A response head the policy retries: counted and dropped with its connection (true), unless out of retries. */
    boolean retriesStatus(int status) {
        if (retry == null || !retry.rules().retriesStatus(status)) return false;
        if (exchange.trace() != null) exchange.trace().tryStatus(status);
        if (!tryAgain(true, null)) return false;
        cluster.answered(endpointIndex, status); // still this try's endpoint: the next is picked after the back-off
        return true;
    }

    /** The response head goes to the client: no more tries. */
    void responseStarted(int status) {
        if (exchange.trace() != null) exchange.trace().tryStatus(status);
        cluster.answered(endpointIndex, status);
        cancelPerTryTimeout();
        if (retry != null && retry.used() > 0 && !retry.rules().retriesStatus(status)) cluster.stats.rqRetrySuccess.inc();
    }

    // ---- timeouts (their clocks: UpstreamLegTimeouts) and tries ----

    @Override
    boolean exchangeFinished() {
        return exchange.finished();
    }

    @Override
    boolean connected() {
        return upstream != null;
    }

    /**
     * Before the response head, per_try_idle_timeout is a per-try timeout (and retried as one);
     * after it the client connection is cut, as the response cannot be completed.
     */
    @Override
    void onPerTryIdleTimeout() {
        cluster.stats.rqPerTryIdleTimeout.inc();
        if (exchange.responseStarted()) {
            detach(false);
            exchange.upstreamFailed("UT", HttpResponseStatus.GATEWAY_TIMEOUT, "upstream idle timeout\n");
            return;
        }
        cancelPerTryTimeout();
        cluster.stats.rqPerTryTimeout.inc();
        if (tryAgain(retry.rules().retriesTimeout(), "UT")) return;
        timedOut();
    }

    @Override
    void onPerTryTimeout() {
        if (exchange.finished() || exchange.responseStarted()) return;
        cluster.stats.rqPerTryTimeout.inc();
        cluster.tryFailed(endpointIndex, true);
        if (tryAgain(retry.rules().retriesTimeout(), "UT")) return;
        timedOut();
    }

    @Override
    void onTimeout() {
        if (exchange.finished()) return;
        cluster.stats.rqTimeout.inc();
        if (!exchange.responseStarted()) cluster.tryFailed(endpointIndex, true);
        timedOut();
    }

    private void timedOut() {
        detach(false);
        exchange.upstreamFailed("UT", HttpResponseStatus.GATEWAY_TIMEOUT, "upstream request timeout\n");
    }

    /**
     * A failure the route's policy may retry ({@code retriable}; {@code flag} says what failed,
     * null for a retried status): schedules the retry after its back-off and returns true, or
     * notes that the retries ran out and returns false.
     */
    private boolean tryAgain(boolean retriable, String flag) {
        if (!retriable || exchange.finished()) return false;
        if (!retry.canRetry()) {
            if (retry.exhausted() && !retryLimitHit) {
                retryLimitHit = true;
                cluster.stats.rqRetryLimitExceeded.inc();
            }
            return false;
        }
        if (!takeRetrySlot()) return false;
        if (exchange.trace() != null) exchange.trace().tryEnded(flag);
        endLb();
        detach(false);
        cancelPerTryTimeouts();
        exchange.response().newTry();
        cluster.stats.rqRetry.inc();
        previousEndpoint = endpointIndex;
        refill();
        down.pause(DownstreamHandler.PAUSE_UPSTREAM);
        dctx.executor().schedule(this::retryNow, retry.nextDelayMillis(down.worker.random), TimeUnit.MILLISECONDS);
        return true;
    }

    /** What the next try sends after the head: the body so far, or the end of a bodiless request. */
    private void refill() {
        if (retry != null) retry.refill(pending());
        else if (requestForwarded) pending().add(LastHttpContent.EMPTY_LAST_CONTENT);
    }

    private ArrayDeque<HttpContent> pending() {
        if (pendingBody == null) pendingBody = new ArrayDeque<>();
        return pendingBody;
    }

    private void retryNow() {
        if (exchange.finished()) return;
        endpointIndex = cluster.pick(target, hashKey, previousEndpoint);
        if (endpointIndex < 0) {
            cluster.stats.cxNone.inc();
            exchange.upstreamFailed("UH", HttpResponseStatus.SERVICE_UNAVAILABLE, "no healthy upstream\n");
            return;
        }
        start();
    }

    // ---- the end ----

    /** The upstream switched protocols: the connection leaves the leg (and the pool) to become the tunnel's. */
    Channel takeForTunnel() {
        Channel up = upstream;
        upstream = null;
        handler.tunnelled();
        end(false);
        return up;
    }

    /** Lets go of the connection without reuse: it saw something that cannot be completed or trusted. */
    void drop() {
        detach(false);
    }

    /** The exchange is over: the connection is pooled ({@code reuse}, if the whole request went) or closed. */
    void end(boolean reuse) {
        releaseSlots();
        if (upstream == null) cluster.cancelWaiting(this);
        endLb();
        detach(reuse && requestForwarded);
        cancelTimeouts();
        if (retry != null) retry.release();
        if (pendingBody != null) {
            pendingBody.forEach(ReferenceCountUtil::release);
            pendingBody.clear();
        }
    }

    private void detach(boolean reuse) {
        Channel up = upstream;
        if (up == null) return;
        upstream = null;
        handler.detach();
        up.config().setAutoRead(true);
        if (reuse) cluster.release(up, endpointIndex);
        else up.close();
    }

    private void endLb() {
        if (lbActive) {
            lbActive = false;
            cluster.requestEnded(endpointIndex);
        }
    }
}
