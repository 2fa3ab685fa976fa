package yastack.proxy;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import yastack.api.AccessLogger;
import yastack.api.HashKey;
import yastack.api.HttpRequestHead;
import yastack.api.RouteDecision;
import yastack.proxy.cluster.Balanced;
import yastack.proxy.cluster.ClusterRuntime;
import yastack.proxy.filter.NettyResponseHead;

/**
 * One request/response through the proxy, from the decoded request head to the last
 * byte of the response: checks, filters, routing, local replies, and the response on its
 * way down. The upstream side (connection, timeouts, tries) is its {@link UpstreamLeg}.
 * Lives on the downstream connection's worker thread, as does every callback here.
 */
final class HttpExchange implements Balanced {
    private final DownstreamHandler down;
    private final ChannelHandlerContext dctx;
    private final HttpRequest request;
    private final ListenerRuntime listener;
    private final ProxySnapshot snapshot;
    final long startNanos = System.nanoTime();

    private RequestHead head;
    private RouteDecision.ToCluster forward;
    private UpstreamCluster cluster;
    private UpstreamLeg leg;
    /** gzip for this response's body, when the listener compresses and the response qualifies. */
    private ResponseCompression compression;
    /** The Upgrade sent upstream when this request may switch protocols, else null. */
    private String upgrade;
    private String requestId;
    private ExchangeFilters filters;
    private ExchangeStream stream;

    /** Body that arrived before the request was routed (filters still deciding); made when needed. */
    private ArrayDeque<HttpContent> earlyBody;
    private final boolean requestHasBody;
    private boolean requestComplete;
    private boolean discardBody;
    private boolean interim;
    private boolean responseStarted;
    private boolean responseComplete;
    private boolean upstreamKeepAlive;
    private boolean closeAfter;
    private boolean finished;
    private int status;
    private long bytesIn;
    private long bytesOut;
    private String responseFlags = "-";
    /** The response head sent to the client (for filters' and loggers' summary), once sent. */
    private HttpResponse responseHead;
    private boolean localReplied;

    HttpExchange(DownstreamHandler down, ChannelHandlerContext dctx, HttpRequest request, ListenerRuntime listener,
                 ProxySnapshot snapshot) {
        this.down = down;
        this.dctx = dctx;
        this.request = request;
        this.listener = listener;
        this.snapshot = snapshot;
        this.requestHasBody = HttpUtil.isTransferEncodingChunked(request) || HttpUtil.getContentLength(request, 0L) > 0;
        this.closeAfter = !HttpUtil.isKeepAlive(request);
    }

    HttpRequest request() {
        return request;
    }

    InetSocketAddress remoteSocketAddress() {
        return ProxyProtocolReader.clientAddress(dctx.channel());
    }

    /** The x-request-id sent upstream (generated when the client sent none), or the client's. */
    String requestId() {
        return requestId != null ? requestId : request.headers().get("x-request-id");
    }

    boolean requestComplete() {
        return requestComplete;
    }

    boolean finished() {
        return finished;
    }

    boolean responseStarted() {
        return responseStarted;
    }

    // ---- request path ----

    void start() {
        RequestChecks.Rejection rejection = RequestChecks.check(request);
        if (rejection != null) {
            down.stats.rqRejected.inc();
            responseFlags = "DPE";
            localReply(rejection.status(), rejection.reason() + "\n", true);
            return;
        }
        RequestChecks.Target target = RequestChecks.target(request);
        if (target == null) {
            down.stats.rqRejected.inc();
            responseFlags = "DPE";
            localReply(HttpResponseStatus.BAD_REQUEST, "invalid request target\n", true);
            return;
        }
        long limit = listener.maxRequestBodyBytes();
        if (limit > 0 && HttpUtil.getContentLength(request, -1L) > limit) {
            // Refused before a byte of it is read (and before a 100 Continue invites it).
            down.stats.rqTooLarge.inc();
            localReply(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "request body too large\n", true);
            return;
        }
        head = new RequestHead(request, target);
        if (!listener.filters().isEmpty()) {
            // Filters see the route the request would take (a per-route rate limit, a log line).
            stream().routeName(listener.router().peekRouteName(stream(), head));
            filters = new ExchangeFilters(this, listener, stream(), head);
            filters.requestHeaders();
            return;
        }
        afterRequestFilters();
    }

    private ExchangeStream stream() {
        if (stream == null) stream = down.newStream(startNanos);
        return stream;
    }

    /** Every filter let the request head through (or there are none): route it. */
    void afterRequestFilters() {
        if (finished) return;
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
            case RouteDecision.Respond r -> sendLocal(LocalReplies.of(r.reply(), listener.serverName()), false);
            case RouteDecision.NoRoute n -> {
                down.stats.noRoute.inc();
                responseFlags = "NR";
                localReply(HttpResponseStatus.NOT_FOUND, "no route matched\n", false);
            }
        }
    }

    private void forward(RouteDecision.ToCluster f) {
        this.forward = f;
        ClusterRuntime runtime = snapshot.clusters().get(f.cluster());
        if (runtime == null) {
            responseFlags = "NC";
            localReply(HttpResponseStatus.SERVICE_UNAVAILABLE, "no cluster " + f.cluster() + "\n", false);
            return;
        }
        cluster = down.worker.cluster(runtime, snapshot.clusterTls().get(f.cluster()));
        int endpointIndex = cluster.pick(this, f.hashKey(), -1);
        if (endpointIndex < 0) {
            cluster.cxNone.inc();
            responseFlags = "UH";
            localReply(HttpResponseStatus.SERVICE_UNAVAILABLE, "no healthy upstream\n", false);
            return;
        }
        upgrade = runtime.http2() ? null : UpgradeTunnel.requested(request, listener.upgradeTypes(), down.isHttp2Stream(), requestHasBody);
        HttpRequest upstreamRequest = buildUpstreamRequest(f);
        if (HttpUtil.is100ContinueExpected(request) && requestHasBody) {
            // We answer the expectation ourselves (as nginx and Envoy do) once we know
            // the request will be forwarded, and do not pass it upstream.
            dctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE,
                    Unpooled.EMPTY_BUFFER));
        }
        leg = new UpstreamLeg(this, down, dctx, cluster, endpointIndex, this, upstreamRequest, f,
                !requestHasBody && RequestChecks.isIdempotent(request.method()), upgrade != null);
        HttpContent early;
        while (earlyBody != null && (early = earlyBody.poll()) != null) leg.body(early, early instanceof LastHttpContent, false);
        leg.start();
    }

    // ---- what a load balancer may ask about this request ----

    @Override
    public HttpRequestHead requestHead() {
        return head;
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return remoteSocketAddress();
    }

    @Override
    public long hashKey(HashKey key) {
        return HashKeys.hash(key, head, down.remoteAddress());
    }

    private HttpRequest buildUpstreamRequest(RouteDecision.ToCluster f) {
        requestId = request.headers().get("x-request-id");
        if (requestId == null) requestId = RequestIds.next(down.worker.random);
        return UpstreamRequests.build(request, head, f, listener.scheme(), down.remoteAddress(), requestId, listener.via(), down.isHttp2Stream(), upgrade,
                cluster.runtime.http2());
    }

    void onRequestContent(HttpContent content) {
        if (content.decoderResult().isFailure()) {
            onMalformedBody(content);
            return;
        }
        bytesIn += content.content().readableBytes();
        boolean last = content instanceof LastHttpContent;
        if (last) requestComplete = true;
        if (discardBody || finished) {
            content.release();
            if (last && finished) down.exchangeDone(this, closeAfter);
            return;
        }
        long limit = listener.maxRequestBodyBytes();
        if (limit > 0 && bytesIn > limit) {
            onBodyTooLarge(content);
            return;
        }
        if (filters != null) filters.requestContent(content, last);
        else forwardRequestContent(content, last);
    }

    /** Request body on its way up (after the filters, if any). */
    void forwardRequestContent(HttpContent content, boolean last) {
        if (discardBody || finished) {
            content.release();
            return;
        }
        // Without filters the downstream read-complete flushes; a chain may resume later.
        if (leg != null) leg.body(content, last, filters != null);
        else {
            if (earlyBody == null) earlyBody = new ArrayDeque<>();
            earlyBody.add(content);
        }
    }

    void pauseForFilter(boolean pause) {
        if (pause) down.pause(DownstreamHandler.PAUSE_FILTER);
        else down.resume(DownstreamHandler.PAUSE_FILTER);
        if (leg != null) leg.setAutoRead(!pause && dctx.channel().isWritable());
    }

    /**
     * The request body broke its framing (bad chunk, bad trailer). The upstream has seen
     * part of a request that can never be completed, so its connection is dropped rather
     * than the body being ended cleanly; the client gets 400 (if nothing was answered
     * yet) and the connection closes, since nothing after the error can be trusted.
     */
    private void onMalformedBody(HttpContent content) {
        String reason = content.decoderResult().cause().getMessage();
        content.release();
        down.stats.rqRejected.inc();
        if (finished) {
            down.exchangeDone(this, true);
            return;
        }
        if (leg != null) leg.drop();
        responseFlags = "DPE";
        if (!responseStarted) localReply(HttpResponseStatus.BAD_REQUEST, "malformed request body: " + reason + "\n", true);
        else abortDownstream();
    }

    /**
     * A body without a Content-Length (chunked) grew past {@code max_request_body_kb}. As with a
     * broken body, the upstream has seen a request that will never complete, so its connection
     * is dropped; the client gets 413 if nothing was answered yet, else the connection resets.
     */
    private void onBodyTooLarge(HttpContent content) {
        content.release();
        down.stats.rqTooLarge.inc();
        if (leg != null) leg.drop();
        if (!responseStarted) localReply(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "request body too large\n", true);
        else abortDownstream();
    }

    void flushUpstream() {
        if (leg != null && !finished) leg.flush();
    }

    void onDownstreamWritabilityChanged(boolean writable) {
        if (leg != null) leg.setAutoRead(writable);
    }

    /** The upstream leg gave up (connect failure, reset, timeout, no endpoint): answer or abort. */
    void upstreamFailed(String flags, HttpResponseStatus s, String body) {
        responseFlags = flags;
        if (!responseStarted) localReply(s, body, false);
        else abortDownstream();
    }

    /** A retry begins: whatever the last try answered is forgotten. */
    void newTry() {
        interim = false;
    }

    // ---- response path ----

    void onUpstreamMessage(Object msg) {
        if (finished) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpResponse r) {
            if (r.decoderResult().isFailure()) {
                ReferenceCountUtil.release(msg);
                onUpstreamInvalid();
                return;
            }
            int code = r.status().code();
            if (code == 101 && upgrade != null && !responseStarted && UpgradeTunnel.accepted(r, upgrade)
                    && r.protocolVersion().equals(HttpVersion.HTTP_1_1)) {
                switchProtocols(r);
                return;
            }
            if (!r.protocolVersion().protocolName().equals("HTTP") || r.protocolVersion().majorVersion() != 1 || code == 101
                    || !HeaderRules.onlyChunkedOrNoTransferCoding(r.headers())) {
                // Not an HTTP/1.x answer, a protocol switch we did not ask for (or to another protocol), or a
                // transfer coding we would silently drop when re-framing (the client would get coded bytes).
                ReferenceCountUtil.release(msg);
                onUpstreamInvalid();
                return;
            }
            if (code >= 100 && code < 200) {
                interim = true;
                // 100 answers an expectation we handled ourselves; no 1xx may go to an HTTP/1.0 client (RFC 9110 15.2).
                if (code != 100 && !request.protocolVersion().equals(HttpVersion.HTTP_1_0)) {
                    HttpHeaders interimHeaders = r.headers().copy();
                    HeaderRules.stripHopByHop(interimHeaders);
                    // A full message: the encoder expects every response head to be ended before the next one.
                    dctx.write(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, r.status(), Unpooled.EMPTY_BUFFER,
                            interimHeaders, EmptyHttpHeaders.INSTANCE));
                }
            } else if (!responseStarted && leg.retriesStatus(code)) {
                ReferenceCountUtil.release(msg);
                return;
            } else {
                startResponse(r);
            }
        }
        if (msg instanceof HttpContent c) {
            if (interim) {
                interim = !(c instanceof LastHttpContent);
                c.release();
                return;
            }
            bytesOut += c.content().readableBytes();
            boolean last = c instanceof LastHttpContent;
            if (filters != null) filters.responseContent(c, last);
            else writeResponseContent(c, last);
        }
    }

    /** Response body on its way down (after the filters, if any). */
    void writeResponseContent(HttpContent c, boolean last) {
        if (finished) {
            c.release();
            return;
        }
        if (compression != null) c = compression.encode(c, last, dctx.alloc());
        dctx.write(c);
        if (filters != null) dctx.flush();
        if (!dctx.channel().isWritable() && leg != null) leg.setAutoRead(false);
        if (last) {
            responseComplete = true;
            dctx.flush();
            finish();
        }
    }

    private void startResponse(HttpResponse r) {
        responseStarted = true;
        status = r.status().code();
        leg.responseStarted(status);
        // An upstream that declined an upgrade saw Connection: upgrade; its connection is not reused.
        upstreamKeepAlive = HttpUtil.isKeepAlive(r) && upgrade == null;
        HttpHeaders h = r.headers();
        boolean chunked = HttpUtil.isTransferEncodingChunked(r);
        long length = chunked ? -1 : HttpUtil.getContentLength(r, -1L);
        HeaderRules.stripHopByHop(h);
        if (leg.http2()) h.remove(HttpConversionUtil.ExtensionHeaderNames.STREAM_ID.text());
        boolean bodiless = request.method().equals(HttpMethod.HEAD) || status == 204 || status == 304;
        boolean http10 = request.protocolVersion().equals(HttpVersion.HTTP_1_0);
        if (length >= 0 && (status != 204)) {
            h.set(HttpHeaderNames.CONTENT_LENGTH, length);
        } else if (!bodiless) {
            if (http10) closeAfter = true; // close-delimited for HTTP/1.0 clients
            else h.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        }
        addProxyFields(h, r);
        if (!requestComplete) closeAfter = true; // the rest of the request body would have to be drained
        closeAfter |= down.closeAfterThisRequest(listener.maxRequestsPerConnection());
        if (closeAfter) h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        else if (http10) h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        if (!h.contains(HttpHeaderNames.DATE)) h.set(HttpHeaderNames.DATE, HeaderRules.httpDate()); // RFC 9110 6.6.1
        // We speak HTTP/1.1 to every client, 1.0 ones included (RFC 9110 2.5), framing for what they understand.
        HttpResponse out = new DefaultHttpResponse(HttpVersion.HTTP_1_1, r.status(), h);
        if (filters != null) filters.responseHeaders(out);
        else writeResponseHead(out);
    }

    /** What the proxy adds to an upstream response head: Via, and the route's header edits. */
    private void addProxyFields(HttpHeaders h, HttpResponse r) {
        if (listener.via() != null) h.add(HttpHeaderNames.VIA, listener.via().value(r.protocolVersion(), leg.http2()));
        if (forward != null) HeaderRules.apply(h, forward.headers().responseAdd(), forward.headers().responseRemove());
    }

    /** The response head on its way down (after the filters, if any). */
    void writeResponseHead(HttpResponse out) {
        if (finished) return;
        status = out.status().code();
        responseHead = out;
        if (listener.compression() != null) compression = ResponseCompression.start(request, out, listener.compression(), down.stats);
        dctx.write(out);
        if (filters != null) dctx.flush();
    }

    /** A filter answered instead of the upstream. */
    void filterReply(FullHttpResponse r) {
        if (finished) {
            r.release();
            return;
        }
        if (leg != null) leg.drop();
        responseFlags = "FR";
        sendLocal(r, false);
    }

    /** A filter stopped the stream after the response head went out. */
    void filterReset() {
        if (!finished) abortDownstream();
    }

    void flushDownstream() {
        dctx.flush();
    }

    /** The upstream answered something that is not a valid HTTP/1.x response: never retried, never reused. */
    private void onUpstreamInvalid() {
        leg.drop();
        cluster.rqReset.inc();
        responseFlags = "UPE";
        if (!responseStarted) localReply(HttpResponseStatus.BAD_GATEWAY, "invalid upstream response\n", false);
        else abortDownstream();
    }

    // ---- local replies ----

    private void localReply(HttpResponseStatus s, String body, boolean close) {
        sendLocal(LocalReplies.response(s, body, "text/plain", listener.serverName()), close);
    }

    private void sendLocal(FullHttpResponse r, boolean close) {
        status = r.status().code();
        responseHead = r;
        localReplied = true;
        responseStarted = true;
        responseComplete = true;
        // A request whose body is still arriving: drain it unless the client waits for
        // 100-continue (then it may never send it, so close instead).
        if (!requestComplete) {
            if (HttpUtil.is100ContinueExpected(request) || close) closeAfter = true;
            discardBody = true;
        }
        closeAfter |= close;
        closeAfter |= down.closeAfterThisRequest(listener.maxRequestsPerConnection());
        if (closeAfter) r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        else if (request.protocolVersion().equals(HttpVersion.HTTP_1_0)) {
            r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        bytesOut += r.content().readableBytes();
        dctx.writeAndFlush(r);
        finish();
    }

    // ---- completion ----

    private void finish() {
        if (finished) return;
        finished = true;
        endUpstream(upstreamKeepAlive && responseComplete);
        // A local answer while an upstream was being connected to leaves reads paused for it.
        down.resume(DownstreamHandler.PAUSE_UPSTREAM);
        if (leg != null && leg.retryLimitHit()) responseFlags = responseFlags.equals("-") ? "URX" : responseFlags + ",URX";
        recordCompletion(false);
        if (requestComplete || closeAfter) down.exchangeDone(this, closeAfter);
        // else: the rest of the request body is discarded, then onRequestContent completes it
    }

    /** Stats, the filters' completion hook and the access log; {@code reset}: the stream was cut, not completed. */
    private void recordCompletion(boolean reset) {
        long nanos = System.nanoTime() - startNanos;
        down.recordCompletion(this, status, nanos);
        if (filters == null && listener.loggers().isEmpty()) return;
        ExchangeSummary summary = new ExchangeSummary(reset ? 0 : status, bytesIn, bytesOut, nanos,
                cluster == null ? "" : cluster.runtime.name(),
                leg == null ? null : cluster.endpoint(leg.endpointIndex()).resolve(), localReplied, reset, head,
                responseHead == null ? null : new NettyResponseHead(responseHead), responseFlags, requestId());
        if (filters != null) filters.complete(summary);
        for (AccessLogger l : listener.loggers()) l.log(stream(), summary);
    }

    /**
     * The upstream switched to the protocol the client asked for: the 101 goes down (hop-by-hop
     * fields dropped but for the upgrade's own), the exchange is logged as done, and both
     * connections become a tunnel. Requests the client pipelined after its upgrade request were
     * parsed as HTTP, so they cannot be the tunnel's bytes: then both connections close.
     */
    private void switchProtocols(HttpResponse r) {
        responseStarted = true;
        responseComplete = true;
        status = 101;
        leg.responseStarted(status);
        if (down.hasQueued()) {
            responseFlags = "DPE";
            abortDownstream();
            return;
        }
        HttpHeaders h = r.headers().copy();
        String protocol = h.get(HttpHeaderNames.UPGRADE);
        HeaderRules.stripHopByHop(h);
        UpgradeTunnel.requestUpgrade(h, protocol);
        addProxyFields(h, r);
        dctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.SWITCHING_PROTOCOLS,
                Unpooled.EMPTY_BUFFER, h, EmptyHttpHeaders.INSTANCE));
        finished = true;
        Channel up = leg.takeForTunnel();
        releaseEarlyBody();
        recordCompletion(false);
        down.becomeTunnel(up, listener.idleTimeoutMillis());
    }

    private void abortDownstream() {
        finished = true;
        endUpstream(false);
        recordCompletion(true);
        down.abort();
    }

    /** The downstream connection closed under us (Envoy's DC): counted and logged as cut short. */
    void onDownstreamClosed() {
        if (finished) {
            releaseEarlyBody();
            return;
        }
        finished = true;
        endUpstream(false);
        responseFlags = responseFlags.equals("-") ? "DC" : responseFlags + ",DC";
        recordCompletion(true);
    }

    /**
     * The exchange is over: the upstream leg ends (pooling its connection if {@code reuse}),
     * and what it held goes (body not yet routed, a compressor cut short).
     */
    private void endUpstream(boolean reuse) {
        if (leg != null) leg.end(reuse);
        releaseEarlyBody();
        if (compression != null) compression.discard();
    }

    private void releaseEarlyBody() {
        if (earlyBody == null) return;
        earlyBody.forEach(ReferenceCountUtil::release);
        earlyBody.clear();
    }
}
