package yastack.kernel.proxy;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
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
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import yastack.kernel.cluster.ClusterRuntime;
import yastack.kernel.route.RouteTarget;

/**
 * One request/response through the proxy, from the decoded request head to the last
 * byte of the response. Lives on the downstream connection's worker thread, as do the
 * upstream connection it borrows and every callback here.
 */
final class HttpExchange implements UpstreamCluster.Acquired {
    private final DownstreamHandler down;
    private final ChannelHandlerContext dctx;
    private final HttpRequest request;
    private final ListenerRuntime listener;
    private final ProxySnapshot snapshot;
    final long startNanos = System.nanoTime();

    private NettyRequestView view;
    private RouteTarget.Forward forward;
    private UpstreamCluster cluster;
    private int endpointIndex = -1;
    private Channel upstream;
    private UpstreamHandler upstreamHandler;
    private HttpRequest upstreamRequest;
    private boolean reused;
    private int attempts;
    private boolean lbActive;
    private String requestId;

    private final ArrayDeque<HttpContent> pendingBody = new ArrayDeque<>();
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
    private ScheduledFuture<?> timeout;

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

    /** The x-request-id sent upstream (generated when the client sent none), or the client's. */
    String requestId() {
        return requestId != null ? requestId : request.headers().get("x-request-id");
    }

    boolean requestComplete() {
        return requestComplete;
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
        view = new NettyRequestView(request, target, down.remoteAddress());
        RouteTarget route = listener.routes() == null ? null : listener.routes().match(view);
        switch (route) {
            case null -> {
                down.stats.noRoute.inc();
                responseFlags = "NR";
                localReply(HttpResponseStatus.NOT_FOUND, "no route matched\n", false);
            }
            case RouteTarget.Direct d -> directReply(d);
            case RouteTarget.Redirect r -> redirect(r);
            case RouteTarget.Forward f -> forward(f);
        }
    }

    private void forward(RouteTarget.Forward f) {
        this.forward = f;
        String clusterName = f.pick(down.worker.random.nextInt(f.totalWeight()));
        ClusterRuntime runtime = snapshot.clusters().get(clusterName);
        if (runtime == null) {
            responseFlags = "NC";
            localReply(HttpResponseStatus.SERVICE_UNAVAILABLE, "no cluster " + clusterName + "\n", false);
            return;
        }
        cluster = down.worker.cluster(runtime, snapshot.clusterTls().get(clusterName));
        long hash = HashKeys.hash(f.hashPolicy() != null ? f.hashPolicy() : runtime.hashPolicy(), view);
        endpointIndex = cluster.pick(hash);
        if (endpointIndex < 0) {
            cluster.cxNone.inc();
            responseFlags = "UH";
            localReply(HttpResponseStatus.SERVICE_UNAVAILABLE, "no healthy upstream\n", false);
            return;
        }
        upstreamRequest = buildUpstreamRequest(f);
        if (HttpUtil.is100ContinueExpected(request) && requestHasBody) {
            // We answer the expectation ourselves (as nginx and Envoy do) once we know
            // the request will be forwarded, and do not pass it upstream.
            dctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE,
                    Unpooled.EMPTY_BUFFER));
        }
        cluster.balancer.onRequestStart(endpointIndex);
        lbActive = true;
        down.pause(DownstreamHandler.PAUSE_UPSTREAM);
        cluster.acquire(endpointIndex, this);
    }

    private HttpRequest buildUpstreamRequest(RouteTarget.Forward f) {
        HttpHeaders h = request.headers().copy();
        HeaderRules.stripHopByHop(h);
        h.remove(HttpHeaderNames.EXPECT);
        // HTTP/2 -> HTTP/1 conversion annotations are ours, not the client's.
        h.remove("x-http2-scheme");
        h.remove("x-http2-stream-id");
        h.remove("x-http2-path");
        h.remove("x-http2-stream-dependency-id");
        h.remove("x-http2-stream-weight");
        h.remove("x-http2-stream-promise-id");
        if (HttpUtil.isTransferEncodingChunked(request)) {
            h.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        } else if (request.headers().contains(HttpHeaderNames.CONTENT_LENGTH)) {
            h.set(HttpHeaderNames.CONTENT_LENGTH, HttpUtil.getContentLength(request, 0L));
        }
        String xff = h.get("x-forwarded-for");
        String client = down.remoteAddress();
        h.set("x-forwarded-for", xff == null || xff.isBlank() ? client : xff + ", " + client);
        h.set("x-forwarded-proto", listener.scheme());
        requestId = h.get("x-request-id");
        if (requestId == null) {
            requestId = RequestIds.next(down.worker.random);
            h.set("x-request-id", requestId);
        }
        String authority = view.authority();
        if (!f.hostRewrite().isEmpty()) h.set(HttpHeaderNames.HOST, f.hostRewrite());
        else if (authority != null) h.set(HttpHeaderNames.HOST, authority);
        HeaderRules.apply(h, f.edits().requestAdd(), f.edits().requestRemove());
        String pathAndQuery = view.query().isEmpty() ? view.path() : view.path() + "?" + view.query();
        String uri = f.rewritePath(pathAndQuery);
        return new DefaultHttpRequest(HttpVersion.HTTP_1_1, request.method(), uri, h);
    }

    @Override
    public void ready(Channel channel, boolean reused) {
        if (finished) {
            // The downstream went away while we were connecting.
            cluster.release(channel, endpointIndex);
            return;
        }
        this.upstream = channel;
        this.reused = reused;
        this.upstreamHandler = channel.pipeline().get(UpstreamHandler.class);
        upstreamHandler.attach(this);
        upstream.write(upstreamRequest);
        HttpContent c;
        while ((c = pendingBody.poll()) != null) upstream.write(c);
        upstream.flush();
        if (requestComplete) armTimeout();
        down.resume(DownstreamHandler.PAUSE_UPSTREAM);
        if (!upstream.isWritable()) down.pause(DownstreamHandler.PAUSE_BACKPRESSURE);
    }

    @Override
    public void failed(Throwable cause, boolean overflow) {
        if (finished) return;
        endLb();
        down.resume(DownstreamHandler.PAUSE_UPSTREAM);
        if (overflow) {
            responseFlags = "UO";
            localReply(HttpResponseStatus.SERVICE_UNAVAILABLE, "upstream connection limit reached\n", false);
        } else {
            responseFlags = "UF";
            localReply(HttpResponseStatus.SERVICE_UNAVAILABLE, "upstream connect error\n", false);
        }
    }

    void onRequestContent(HttpContent content) {
        bytesIn += content.content().readableBytes();
        boolean last = content instanceof LastHttpContent;
        if (discardBody || finished) {
            content.release();
        } else if (upstream != null) {
            upstream.write(content);
            if (!upstream.isWritable()) down.pause(DownstreamHandler.PAUSE_BACKPRESSURE);
        } else {
            pendingBody.add(content);
        }
        if (last) {
            requestComplete = true;
            if (upstream != null && !finished) armTimeout();
            if (finished) down.exchangeDone(this, closeAfter);
        }
    }

    void flushUpstream() {
        if (upstream != null && !finished) upstream.flush();
    }

    void onUpstreamWritabilityChanged(boolean writable) {
        if (writable) down.resume(DownstreamHandler.PAUSE_BACKPRESSURE);
        else down.pause(DownstreamHandler.PAUSE_BACKPRESSURE);
    }

    void onDownstreamWritabilityChanged(boolean writable) {
        if (upstream != null) upstream.config().setAutoRead(writable);
    }

    private void armTimeout() {
        if (timeout != null || forward == null || forward.timeoutMillis() <= 0) return;
        timeout = dctx.executor().schedule(this::onTimeout, forward.timeoutMillis(), TimeUnit.MILLISECONDS);
    }

    private void onTimeout() {
        if (finished) return;
        cluster.rqTimeout.inc();
        responseFlags = "UT";
        Channel up = upstream;
        detachUpstream(false);
        if (up != null) up.close();
        if (!responseStarted) {
            localReply(HttpResponseStatus.GATEWAY_TIMEOUT, "upstream request timeout\n", false);
        } else {
            abortDownstream();
        }
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
                onUpstreamClosed(r.decoderResult().cause());
                return;
            }
            int code = r.status().code();
            if (code >= 100 && code < 200) {
                interim = true;
                if (code != 100 && code != 101) {
                    HttpResponse copy = new DefaultHttpResponse(request.protocolVersion(), r.status(), r.headers().copy());
                    HeaderRules.stripHopByHop(copy.headers());
                    dctx.write(copy);
                }
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
            dctx.write(c);
            if (!dctx.channel().isWritable() && upstream != null) upstream.config().setAutoRead(false);
            if (last) {
                responseComplete = true;
                dctx.flush();
                finish();
            }
        }
    }

    private void startResponse(HttpResponse r) {
        responseStarted = true;
        status = r.status().code();
        cluster.countStatus(status);
        upstreamKeepAlive = HttpUtil.isKeepAlive(r);
        HttpHeaders h = r.headers();
        boolean chunked = HttpUtil.isTransferEncodingChunked(r);
        long length = chunked ? -1 : HttpUtil.getContentLength(r, -1L);
        HeaderRules.stripHopByHop(h);
        boolean bodiless = request.method().equals(HttpMethod.HEAD) || status == 204 || status == 304;
        boolean http10 = request.protocolVersion().equals(HttpVersion.HTTP_1_0);
        if (length >= 0 && (status != 204)) {
            h.set(HttpHeaderNames.CONTENT_LENGTH, length);
        } else if (!bodiless) {
            if (http10) closeAfter = true; // close-delimited for HTTP/1.0 clients
            else h.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        }
        if (forward != null) HeaderRules.apply(h, forward.edits().responseAdd(), forward.edits().responseRemove());
        if (!requestComplete) closeAfter = true; // the rest of the request body would have to be drained
        closeAfter |= down.closeAfterThisRequest(listener.maxRequestsPerConnection());
        if (closeAfter) h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        else if (http10) h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        HttpResponse out = new DefaultHttpResponse(request.protocolVersion(), r.status(), h);
        dctx.write(out);
    }

    void flushDownstream() {
        dctx.flush();
    }

    void onUpstreamClosed(Throwable cause) {
        if (finished) return;
        Channel up = upstream;
        detachUpstream(false);
        if (up != null) up.close();
        if (!responseStarted) {
            if (reused && attempts == 0 && !requestHasBody) {
                // A pooled connection the upstream had just closed: retry once on a fresh one.
                attempts++;
                cluster.rqRetry.inc();
                down.pause(DownstreamHandler.PAUSE_UPSTREAM);
                cluster.acquire(endpointIndex, this);
                return;
            }
            cluster.rqReset.inc();
            responseFlags = "UR";
            localReply(HttpResponseStatus.BAD_GATEWAY, "upstream reset before response\n", false);
        } else {
            cluster.rqReset.inc();
            responseFlags = "UR";
            abortDownstream();
        }
    }

    // ---- local replies ----

    private void directReply(RouteTarget.Direct d) {
        FullHttpResponse r = response(HttpResponseStatus.valueOf(d.status()), d.body(), d.contentType());
        HeaderRules.apply(r.headers(), d.edits().responseAdd(), d.edits().responseRemove());
        sendLocal(r, false);
    }

    private void redirect(RouteTarget.Redirect r) {
        String scheme = r.scheme().isEmpty() ? listener.scheme() : r.scheme();
        String host = r.host().isEmpty() ? (view.authority() == null ? "" : view.authority()) : r.host();
        String path = view.path();
        if (!r.path().isEmpty()) path = r.path();
        else if (!r.prefixRewrite().isEmpty() && r.matchedPrefix() != null) {
            path = r.prefixRewrite() + path.substring(Math.min(path.length(), r.matchedPrefix().length()));
        }
        if (!r.stripQuery() && !view.query().isEmpty() && !path.contains("?")) path = path + "?" + view.query();
        FullHttpResponse resp = response(HttpResponseStatus.valueOf(r.code()), "", "text/plain");
        resp.headers().set(HttpHeaderNames.LOCATION, scheme + "://" + host + path);
        HeaderRules.apply(resp.headers(), r.edits().responseAdd(), r.edits().responseRemove());
        sendLocal(resp, false);
    }

    private void localReply(HttpResponseStatus s, String body, boolean close) {
        sendLocal(response(s, body, "text/plain"), close);
    }

    private FullHttpResponse response(HttpResponseStatus s, String body, String contentType) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        FullHttpResponse r = new DefaultFullHttpResponse(
                request.protocolVersion().equals(HttpVersion.HTTP_1_0) ? HttpVersion.HTTP_1_0 : HttpVersion.HTTP_1_1,
                s, Unpooled.wrappedBuffer(bytes));
        r.headers().set(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
        if (bytes.length > 0) r.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        r.headers().set(HttpHeaderNames.SERVER, listener.serverName());
        return r;
    }

    private void sendLocal(FullHttpResponse r, boolean close) {
        status = r.status().code();
        responseStarted = true;
        responseComplete = true;
        // A request whose body is still arriving: drain it unless the client waits for
        // 100-continue (then it may never send it, so close instead).
        if (!requestComplete) {
            if (HttpUtil.is100ContinueExpected(request) || close) closeAfter = true;
            discardBody = true;
            pendingBody.forEach(ReferenceCountUtil::release);
            pendingBody.clear();
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
        if (timeout != null) timeout.cancel(false);
        endLb();
        detachUpstream(upstreamKeepAlive && requestComplete && responseComplete);
        down.recordCompletion(this, status, System.nanoTime() - startNanos);
        AccessLog log = listener.accessLog();
        if (log != null) log.log(this, view, listener.name(), status, bytesIn, bytesOut, responseFlags,
                cluster == null ? null : cluster.runtime.name(),
                cluster == null || endpointIndex < 0 ? null : cluster.endpoint(endpointIndex).toString(), down.remoteAddress());
        if (requestComplete || closeAfter) down.exchangeDone(this, closeAfter);
        // else: the rest of the request body is discarded, then onRequestContent completes it
    }

    private void detachUpstream(boolean reuse) {
        Channel up = upstream;
        if (up == null) return;
        upstream = null;
        upstreamHandler.detach();
        up.config().setAutoRead(true);
        if (reuse) cluster.release(up, endpointIndex);
        else up.close();
    }

    private void abortDownstream() {
        finished = true;
        endLb();
        detachUpstream(false);
        if (timeout != null) timeout.cancel(false);
        down.recordCompletion(this, status == 0 ? 502 : status, System.nanoTime() - startNanos);
        down.abort();
    }

    /** The downstream connection closed under us. */
    void onDownstreamClosed() {
        pendingBody.forEach(ReferenceCountUtil::release);
        pendingBody.clear();
        if (finished) return;
        finished = true;
        if (timeout != null) timeout.cancel(false);
        endLb();
        detachUpstream(false);
    }

    private void endLb() {
        if (lbActive) {
            lbActive = false;
            cluster.balancer.onRequestEnd(endpointIndex);
        }
    }
}
