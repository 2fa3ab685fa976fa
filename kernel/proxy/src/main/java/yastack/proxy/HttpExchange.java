package yastack.proxy;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import yastack.api.RouteDecision;
import yastack.proxy.cluster.ClusterRuntime;
import yastack.proxy.tls.ClientTls;
import yastack.proxy.trace.ExchangeTrace;

/**
 * One request/response through the proxy, from the decoded request head to the last byte of
 * the response: checks, filters, routing, the request body, local replies and the end. The
 * response on its way down is its {@link ExchangeResponse}; the upstream side (connection,
 * timeouts, tries) is its {@link UpstreamLeg}; the record of how it ended is its
 * {@link ExchangeCompletion}. Lives on the downstream connection's worker thread, as does
 * every callback here.
 */
final class HttpExchange extends ExchangeCompletion {
    /**
     * Where the response stands: PENDING (no head sent yet: checks, filters, routing, or
     * waiting for the upstream's head), RESPONDING (the head went out, the body follows),
     * DONE (sent in full, or the connection became a tunnel), ABORTED (the client connection
     * was reset or went away).
     */
    enum Phase { PENDING, RESPONDING, DONE, ABORTED }

    final DownstreamHandler down;
    final ChannelHandlerContext dctx;
    final HttpRequest request;
    final ListenerRuntime listener;
    private final ProxySnapshot snapshot;
    final long startNanos = System.nanoTime();
    private final boolean requestHasBody;
    private final ExchangeResponse response;
    private final RequestBody body;
    private final StreamTimeouts timeouts;

    private Phase phase = Phase.PENDING;
    private RequestHead head;
    private RouteDecision.ToCluster forward;
    private UpstreamCluster cluster;
    private UpstreamLeg leg;
    /** The copies the route mirrors, while the request body goes up; null for most requests. */
    private RequestMirror mirror;
    /** The Upgrade sent upstream when this request may switch protocols, else null. */
    private String upgrade;
    private CharSequence requestId;
    private ExchangeFilters filters;
    private ExchangeStream stream;
    /** Close the client connection once this exchange is done. */
    private boolean closeAfter;
    /** The client as the listener trusts it, and the request as balancers see it. */
    final ExchangeClient client = new ExchangeClient(this);
    /** The request's trace when the listener traces, else null. */
    private ExchangeTrace trace;

    HttpExchange(DownstreamHandler down, ChannelHandlerContext dctx, HttpRequest request, ListenerRuntime listener,
                 ProxySnapshot snapshot) {
        this.down = down;
        this.dctx = dctx;
        this.request = request;
        this.listener = listener;
        this.snapshot = snapshot;
        this.requestHasBody = HeaderRules.chunked(request) || HeaderRules.contentLength(request, 0L) > 0;
        this.closeAfter = !HeaderRules.keepAlive(request);
        this.response = new ExchangeResponse(this);
        this.body = new RequestBody(this);
        this.timeouts = new StreamTimeouts(startNanos, listener.edge());
    }

    /** The x-request-id sent upstream (generated when the client sent none), or the client's. */
    String requestId() {
        return requestId != null ? requestId.toString() : request.headers().get("x-request-id");
    }

    boolean requestComplete() { return body.complete(); }
    boolean finished() { return phase == Phase.DONE || phase == Phase.ABORTED; }
    boolean responseStarted() { return phase != Phase.PENDING; }
    ExchangeResponse response() { return response; }
    RequestBody body() { return body; }
    UpstreamLeg leg() { return leg; }
    RequestMirror mirror() { return mirror; }
    UpstreamCluster cluster() { return cluster; }
    ExchangeFilters filters() { return filters; }
    RouteDecision.ToCluster forward() { return forward; }
    String upgrade() { return upgrade; }
    StreamTimeouts timeouts() { return timeouts; }
    /** Bytes moved: the stream's idle timeout restarts (on the worker's loop clock). */
    void activity() { timeouts.activity(down.worker.timeouts.now()); }
    ExchangeTrace trace() { return trace; }

    // ---- request path ----

    void start() {
        RequestChecks.Target target = RequestAdmission.admit(this);
        if (target == null) return;
        head = new RequestHead(request, target, down.worker.authorities);
        if (listener.tracing() != null) trace = listener.tracing().start(request.headers(), down.stats.tracing(), down.worker.random, startNanos);
        if (!listener.filters().isEmpty()) {
            // Filters see the route the request would take (a per-route rate limit, a log line).
            stream().routeName(listener.router().peekRouteName(stream(), head));
            filters = new ExchangeFilters(this, listener, stream(), head);
            filters.requestHeaders();
            return;
        }
        afterRequestFilters();
    }

    void rejected(HttpResponseStatus s, String reason) {
        down.stats.rqRejected.inc();
        flagProtocolError();
        localReply(s, reason + "\n", true);
    }

    /** The stream filters, routers and loggers see, made when first asked for. */
    ExchangeStream stream() {
        if (stream == null) {
            stream = down.newStream(startNanos, client.address());
            if (trace != null) stream.span(trace);
        }
        return stream;
    }

    /** The request head filters and routers see (null until the checks passed). */
    RequestHead head() {
        return head;
    }

    /** Every filter let the request head through (or there are none): route it. */
    void afterRequestFilters() {
        if (finished()) return;
        RouteDecision d = head.targetValid() ? listener.router().route(stream(), head) : null;
        // Filters and routers may rewrite the target: it must still be one we can send.
        if (!head.targetValid()) {
            localReply(HttpResponseStatus.BAD_REQUEST, "invalid request target\n", true);
            return;
        }
        switch (d) {
            case RouteDecision.ToCluster c -> {
                stream().routeName(c.routeName());
                forward(c);
            }
            case RouteDecision.Respond r -> response.sendLocal(LocalReplies.of(r.reply(), listener.serverName()), false);
            case RouteDecision.NoRoute n -> {
                down.stats.noRoute.inc();
                flags("NR");
                localReply(HttpResponseStatus.NOT_FOUND, "no route matched\n", false);
            }
        }
    }

    private void forward(RouteDecision.ToCluster f) {
        this.forward = f;
        ClusterRuntime runtime = snapshot.clusters().get(f.cluster());
        if (runtime == null) {
            flags("NC");
            localReply(HttpResponseStatus.SERVICE_UNAVAILABLE, "no cluster " + f.cluster() + "\n", false);
            return;
        }
        if (f.idleTimeout() != null) {
            timeouts.routeIdle(f.idleTimeout().toMillis());
            down.deadlineMoved(this);
        }
        ClientTls tls = snapshot.clusterTls().get(f.cluster());
        cluster = down.worker.cluster(runtime, tls);
        int endpointIndex = cluster.pick(client, f.hashKey(), -1);
        if (endpointIndex < 0) {
            cluster.stats.cxNone.inc();
            flags("UH");
            localReply(HttpResponseStatus.SERVICE_UNAVAILABLE, "no healthy upstream\n", false);
            return;
        }
        upgrade = runtime.http2() ? null : UpgradeTunnel.requested(request, listener.upgradeTypes(), down.isHttp2Stream(), requestHasBody);
        requestId = listener.edge().trust().keepsRequestId() ? request.headers().get("x-request-id") : null;
        if (requestId == null) requestId = RequestIds.next(down.worker.random);
        HttpRequest upstreamRequest = UpstreamRequests.build(request, head, f, listener.scheme(), down.remoteAddress(), requestId,
                listener.via(), down.isHttp2Stream(), upgrade, runtime.http2(), listener.edge().trust());
        if (head.authority().isEmpty() && f.hostRewrite().isEmpty()) {
            // An HTTP/1.0 request may come without Host and any with an empty one (RFC 9112 3.3),
            // but the HTTP/1.1 request sent on must name a host (3.2; an http URI has one, RFC
            // 9110 4.2.1): the endpoint's, as nginx sends its upstream's name.
            upstreamRequest.headers().set(HttpHeaderNames.HOST,
                    cluster.endpoint(endpointIndex).authority(tls != null));
        }
        if (answersExpectation()) {
            // We answer the expectation ourselves (as nginx and Envoy do) once we know
            // the request will be forwarded, and do not pass it upstream.
            dctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE, Unpooled.EMPTY_BUFFER));
        }
        // An upgrade becomes a tunnel, which a copy sent over the JDK's client could not follow.
        if (!f.mirrors().isEmpty() && upgrade == null) mirror = RequestMirror.of(f, upstreamRequest, requestHasBody, down.worker);
        leg = new UpstreamLeg(this, down, dctx, cluster, endpointIndex, client, upstreamRequest, f,
                !requestHasBody && RequestChecks.isIdempotent(request.method()), upgrade != null);
        body.routed(leg);
        leg.start();
    }

    /** The client's 100-continue expectation is the proxy's to answer (a body follows); it does once routed. */
    boolean answersExpectation() {
        return requestHasBody && HttpUtil.is100ContinueExpected(request);
    }

    // ---- the request body ----

    void onRequestContent(HttpContent content) {
        body.onContent(content);
    }

    void pauseForFilter(boolean pause) {
        if (pause) down.pause(DownstreamHandler.PAUSE_FILTER);
        else down.resume(DownstreamHandler.PAUSE_FILTER);
        if (leg != null) leg.setAutoRead(!pause && dctx.channel().isWritable());
    }

    /**
     * The request body failed (broken framing, too large): the upstream has seen a request that
     * will never complete, so its connection is dropped; the client gets {@code s} if nothing
     * was answered yet, else the connection resets.
     */
    void bodyFailed(HttpResponseStatus s, String reason, boolean protocolError) {
        if (finished()) {
            down.exchangeDone(this, true);
            return;
        }
        if (leg != null) leg.drop();
        if (protocolError) flagProtocolError();
        if (!responseStarted()) localReply(s, reason, true);
        else abortDownstream();
    }

    /** The rest of a body the exchange answered without has been read and dropped. */
    void bodyDrained() {
        down.exchangeDone(this, closeAfter);
    }

    void flushUpstream() {
        if (leg != null && !finished()) leg.flush();
    }

    void onDownstreamWritabilityChanged(boolean writable) {
        if (leg != null) leg.setAutoRead(writable);
    }

    // ---- failures and replies ----

    /** The upstream leg gave up (connect failure, reset, timeout, no endpoint): answer or abort. */
    void upstreamFailed(String flags, HttpResponseStatus s, String reason) {
        flags(flags);
        if (!responseStarted()) localReply(s, reason, false);
        else abortDownstream();
    }

    /** A local reply of this listener (its server name). */
    FullHttpResponse localResponse(HttpResponseStatus s, String text) {
        return LocalReplies.response(s, text, "text/plain", listener.serverName());
    }

    /**
     * The proxy answers in place of the upstream ({@code flags} for the access log): the reply
     * goes out if no response head has yet, else the client connection is cut.
     */
    void reply(FullHttpResponse r, String flags, boolean close) {
        if (finished()) {
            r.release();
            return;
        }
        flags(flags);
        if (leg != null) leg.drop();
        if (responseStarted()) {
            r.release();
            abortDownstream();
        } else {
            response.sendLocal(r, close);
        }
    }

    /** The upstream answered something that is not a valid HTTP/1.x response: never retried, never reused. */
    void upstreamInvalid() {
        leg.drop();
        cluster.stats.rqReset.inc();
        cluster.stats.cxProtocolError.inc();
        upstreamFailed("UPE", HttpResponseStatus.BAD_GATEWAY, "invalid upstream response\n");
    }

    /** A filter answered instead of the upstream. */
    void filterReply(FullHttpResponse r) {
        if (finished()) {
            r.release();
            return;
        }
        if (leg != null) leg.drop();
        flags("FR");
        response.sendLocal(r, false);
    }

    /** A filter stopped the stream after the response head went out. */
    void filterReset() {
        if (!finished()) abortDownstream();
    }

    private void localReply(HttpResponseStatus s, String text, boolean close) {
        response.sendLocal(localResponse(s, text), close);
    }

    /** Whether the response being started must carry {@code Connection: close}; decides it for good. */
    boolean closeAfterResponse() {
        closeAfter |= down.closeAfterThisRequest(listener.maxRequestsPerConnection());
        return closeAfter;
    }

    /** The response needs the connection closed (close-delimited body, unread request body). */
    void closeConnectionAfter() {
        closeAfter = true;
    }

    /** The upstream's response head goes to the client: no more tries. */
    void responding(int code) {
        status(code);
        phase = Phase.RESPONDING;
    }

    /** The proxy's own answer goes to the client in place of the upstream's. */
    void respondingLocally(int code) {
        repliedLocally(code);
        phase = Phase.RESPONDING;
    }

    // ---- the end ----

    /** The response went out in full; {@code reuseUpstream}: the upstream connection may serve another request. */
    void finish(boolean reuseUpstream) {
        if (finished()) return;
        phase = Phase.DONE;
        endUpstream(reuseUpstream);
        // A local answer while an upstream was being connected to leaves reads paused for it.
        down.resume(DownstreamHandler.PAUSE_UPSTREAM);
        if (leg != null && leg.retryLimitHit()) addFlag("URX");
        record(false);
        if (body.complete() || closeAfter) down.exchangeDone(this, closeAfter);
        // else: the rest of the request body is discarded, then onRequestContent completes it
    }

    /** The response was a protocol switch: the exchange is done and the connection becomes a tunnel. */
    void tunnelled(int code) {
        status(code);
        phase = Phase.DONE;
        body.release();
        record(false);
    }

    void flagProtocolError() {
        flags("DPE");
    }

    /** Tears the client connection down mid-response. */
    void abortDownstream() {
        phase = Phase.ABORTED;
        endUpstream(false);
        record(true);
        down.abort();
    }

    /** The downstream connection closed under us (Envoy's DC): counted and logged as cut short. */
    void onDownstreamClosed() {
        if (finished()) {
            body.release();
            return;
        }
        phase = Phase.ABORTED;
        endUpstream(false);
        addFlag("DC");
        record(true);
    }

    /**
     * The exchange is over: the upstream leg ends (pooling its connection if {@code reuse}),
     * and what it held goes (body not yet routed, a compressor cut short).
     */
    private void endUpstream(boolean reuse) {
        if (leg != null) leg.end(reuse);
        body.release();
        response.discard();
    }
}
