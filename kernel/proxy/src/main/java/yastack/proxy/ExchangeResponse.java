package yastack.proxy;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.ReferenceCountUtil;
import yastack.api.RouteDecision;

/**
 * An exchange's response on its way from the upstream to the client: checked (only an
 * HTTP/1.x answer we can re-frame passes), interim 1xx answers passed or dropped, framed
 * again for the client (Content-Length kept, else chunked, or close-delimited for HTTP/1.0),
 * hop-by-hop fields dropped, Via and the route's edits added, compressed when the listener
 * says so, and a protocol switch turned into a tunnel. A local reply (the proxy answering in
 * the upstream's place) goes down here too.
 */
final class ExchangeResponse {
    private final HttpExchange ex;
    /** gzip for this response's body, when the listener compresses and the response qualifies. */
    private ResponseCompression compression;
    /** The head sent to the client (an upstream's or a local reply), once sent. */
    private HttpResponse head;
    /** Between an interim (1xx) head and its end: its body, if any, is dropped. */
    private boolean interim;
    private boolean upstreamKeepAlive;
    private long bytesOut;

    ExchangeResponse(HttpExchange ex) {
        this.ex = ex;
    }

    HttpResponse head() {
        return head;
    }

    long bytesOut() {
        return bytesOut;
    }

    /** The proxy's own answer goes down in place of the upstream's, and the exchange is done. */
    void sendLocal(FullHttpResponse r, boolean close) {
        ex.respondingLocally(r.status().code());
        head = r;
        // A request whose body is still arriving: drain it unless the client waits for
        // 100-continue (then it may never send it, so close instead).
        if (!ex.requestComplete()) {
            if (HttpUtil.is100ContinueExpected(ex.request) || close) ex.closeConnectionAfter();
            ex.body().discardRest();
        }
        if (close) ex.closeConnectionAfter();
        if (ex.closeAfterResponse()) r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        else if (ex.request.protocolVersion().equals(HttpVersion.HTTP_1_0)) {
            r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        bytesOut += r.content().readableBytes();
        ex.dctx.writeAndFlush(r);
        ex.finish(false);
    }

    /** A retry begins: whatever the last try answered is forgotten. */
    void newTry() {
        interim = false;
    }

    void onUpstreamMessage(Object msg) {
        if (ex.finished()) {
            ReferenceCountUtil.release(msg);
            return;
        }
        ex.activity();
        if (msg instanceof HttpResponse r && !onHead(r)) return;
        if (msg instanceof HttpContent c) {
            if (interim) {
                interim = !(c instanceof LastHttpContent);
                c.release();
                return;
            }
            bytesOut += c.content().readableBytes();
            boolean last = c instanceof LastHttpContent;
            if (ex.filters() != null) ex.filters().responseContent(c, last);
            else writeContent(c, last);
        }
    }

    /** A response head from upstream; false when the message was consumed (invalid, retried, a switch). */
    private boolean onHead(HttpResponse r) {
        if (r.decoderResult().isFailure()) {
            ReferenceCountUtil.release(r);
            ex.upstreamInvalid();
            return false;
        }
        int code = r.status().code();
        String upgrade = ex.upgrade();
        if (code == 101 && upgrade != null && !ex.responseStarted() && UpgradeTunnel.accepted(r, upgrade)
                && r.protocolVersion().equals(HttpVersion.HTTP_1_1)) {
            switchProtocols(r);
            return false;
        }
        if (!r.protocolVersion().protocolName().equals("HTTP") || r.protocolVersion().majorVersion() != 1 || code == 101
                || code < 100 || code > 599 || !HeaderRules.validReasonPhrase(r.status().reasonPhrase())
                || !HeaderRules.onlyChunkedOrNoTransferCoding(r.headers())) {
            // Not an HTTP/1.x answer, a protocol switch we did not ask for (or to another protocol), a status
            // outside 100..599 (RFC 9110 15; Netty reads "2" as a code) or a reason phrase with control
            // characters (Netty passes them; they would reach the client's status line), or a transfer
            // coding we would silently drop when re-framing (the client would get coded bytes).
            ReferenceCountUtil.release(r);
            ex.upstreamInvalid();
            return false;
        }
        if (code >= 100 && code < 200) {
            interim = true;
            // A proxy forwards the 1xx it did not ask for (RFC 9110 15.2), but none to an HTTP/1.0 client,
            // and no 100 where we answered the client's expectation ourselves (it would be a second one).
            if (!ex.request.protocolVersion().equals(HttpVersion.HTTP_1_0) && !(code == 100 && ex.answersExpectation())) {
                HttpHeaders interimHeaders = r.headers().copy();
                HeaderRules.stripHopByHop(interimHeaders);
                // A full message: the encoder expects every response head to be ended before the next one.
                ex.dctx.write(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, r.status(), Unpooled.EMPTY_BUFFER,
                        interimHeaders, EmptyHttpHeaders.INSTANCE));
            }
            return true;
        }
        if (!ex.responseStarted() && ex.leg().retriesStatus(code)) {
            ReferenceCountUtil.release(r);
            return false;
        }
        start(r);
        return true;
    }

    private void start(HttpResponse r) {
        int status = r.status().code();
        ex.responding(status);
        UpstreamLeg leg = ex.leg();
        leg.responseStarted(status);
        // An upstream that declined an upgrade saw Connection: upgrade; its connection is not reused.
        upstreamKeepAlive = HeaderRules.keepAlive(r) && ex.upgrade() == null;
        HttpHeaders h = r.headers();
        boolean chunked = HeaderRules.chunked(r);
        long length = chunked ? -1 : HeaderRules.contentLength(r, -1L);
        Object lengthValue = length >= 0 ? HeaderRules.contentLengthValue(h, length) : null;
        HeaderRules.stripHopByHop(h);
        if (leg.http2()) h.remove(HttpConversionUtil.ExtensionHeaderNames.STREAM_ID.text());
        boolean bodiless = ex.request.method().equals(HttpMethod.HEAD) || status == 204 || status == 304;
        boolean http10 = ex.request.protocolVersion().equals(HttpVersion.HTTP_1_0);
        if (length >= 0 && status != 204) {
            h.set(HttpHeaderNames.CONTENT_LENGTH, lengthValue);
        } else if (!bodiless) {
            if (http10) ex.closeConnectionAfter(); // close-delimited for HTTP/1.0 clients
            else h.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        }
        addProxyFields(h, r);
        if (!ex.requestComplete()) ex.closeConnectionAfter(); // the rest of the request body would have to be drained
        if (ex.closeAfterResponse()) h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        else if (http10) h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        if (!h.contains(HttpHeaderNames.DATE)) h.set(HttpHeaderNames.DATE, HeaderRules.httpDate()); // RFC 9110 6.6.1
        // We speak HTTP/1.1 to every client, 1.0 ones included (RFC 9110 2.5), framing for what they understand.
        HttpResponse out = new DefaultHttpResponse(HttpVersion.HTTP_1_1, r.status(), h);
        if (ex.filters() != null) ex.filters().responseHeaders(out);
        else writeHead(out);
    }

    /** What the proxy adds to an upstream response head: Via, and the route's header edits. */
    private void addProxyFields(HttpHeaders h, HttpResponse r) {
        if (ex.listener.via() != null) h.add(HttpHeaderNames.VIA, ex.listener.via().value(r.protocolVersion(), ex.leg().http2()));
        RouteDecision.ToCluster f = ex.forward();
        if (f != null) HeaderRules.apply(h, f.headers().responseAdd(), f.headers().responseRemove());
    }

    /** The response head on its way down (after the filters, if any). */
    void writeHead(HttpResponse out) {
        if (ex.finished()) return;
        ex.responding(out.status().code());
        head = out;
        if (ex.listener.compression() != null) {
            compression = ResponseCompression.start(ex.request, out, ex.listener.compression(), ex.down.stats);
        }
        // No future to listen to (a promise per write adds up): a failed write reaches
        // DownstreamHandler.exceptionCaught, which closes the connection.
        ex.dctx.write(out, ex.dctx.voidPromise());
        if (ex.filters() != null) ex.dctx.flush();
    }

    /** Response body on its way down (after the filters, if any). */
    void writeContent(HttpContent c, boolean last) {
        if (ex.finished()) {
            c.release();
            return;
        }
        if (compression != null) c = compression.encode(c, last, ex.dctx.alloc());
        ex.dctx.write(c, ex.dctx.voidPromise());
        if (ex.filters() != null) ex.dctx.flush();
        if (!ex.dctx.channel().isWritable() && ex.leg() != null) ex.leg().setAutoRead(false);
        if (last) {
            ex.dctx.flush();
            ex.finish(upstreamKeepAlive);
        }
    }

    /**
     * The upstream switched to the protocol the client asked for: the 101 goes down (hop-by-hop
     * fields dropped but for the upgrade's own), the exchange is logged as done, and both
     * connections become a tunnel. Requests the client pipelined after its upgrade request were
     * parsed as HTTP, so they cannot be the tunnel's bytes: then both connections close.
     */
    private void switchProtocols(HttpResponse r) {
        ex.responding(101);
        ex.leg().responseStarted(101);
        if (ex.down.hasQueued()) {
            ex.flagProtocolError();
            ex.abortDownstream();
            return;
        }
        HttpHeaders h = r.headers().copy();
        String protocol = h.get(HttpHeaderNames.UPGRADE);
        HeaderRules.stripHopByHop(h);
        UpgradeTunnel.requestUpgrade(h, protocol);
        addProxyFields(h, r);
        head = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.SWITCHING_PROTOCOLS,
                Unpooled.EMPTY_BUFFER, h, EmptyHttpHeaders.INSTANCE);
        ex.dctx.writeAndFlush(head);
        Channel up = ex.leg().takeForTunnel();
        ex.tunnelled(101);
        ex.down.becomeTunnel(up, ex.listener.idleTimeoutMillis());
    }

    void flushDownstream() {
        ex.dctx.flush();
    }

    /** The exchange ended before the body was through: a compressor cut short lets go of its buffers. */
    void discard() {
        if (compression != null) compression.discard();
    }
}
