package yastack.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import yastack.proxy.Http1Grammar.Malformed;

/**
 * A strict HTTP/1.1 request decoder (RFC 9112). It emits the same objects as Netty's
 * HttpRequestDecoder (a request head, body pieces, a last piece with trailers), but
 * accepts only the grammar: CRLF line endings, one SP between request-line parts,
 * token field names directly followed by ':', no obs-fold, no control characters in
 * values, a single decimal Content-Length, exactly "chunked" as the final transfer
 * coding, and chunk sizes and extensions as the RFC writes them. Anything else could
 * be read differently by the next hop, which is how request smuggling starts, so it
 * ends the connection: the decoder emits a failed message and ignores all later bytes.
 */
class RequestDecoder extends Http1BodyDecoder {
    private final int maxLineBytes;
    private final int maxHeaderBytes;
    private final long headTimeoutMillis;
    private ScheduledFuture<?> headTimer;

    /** @param headTimeoutMillis time from the first byte of a request head to its last (0: none); then 408 */
    RequestDecoder(int maxLineBytes, int maxHeaderBytes, int maxPieceBytes, long headTimeoutMillis) {
        super(false, maxHeaderBytes, maxPieceBytes);
        this.maxLineBytes = maxLineBytes;
        this.maxHeaderBytes = maxHeaderBytes;
        this.headTimeoutMillis = headTimeoutMillis;
    }

    @Override
    void malformed(ChannelHandlerContext ctx, Malformed cause, boolean inHead, List<Object> out) {
        cancelHeadTimer();
        if (inHead) {
            out.add(invalidRequest(cause));
        } else {
            LastHttpContent bad = new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER);
            bad.setDecoderResult(DecoderResult.failure(cause));
            out.add(bad);
        }
    }

    private void startHeadTimer(ChannelHandlerContext ctx) {
        if (headTimer != null || headTimeoutMillis <= 0) return;
        headTimer = ctx.executor().schedule(() -> {
            headTimer = null;
            if (state != State.HEAD || !ctx.channel().isActive()) return;
            if (!ctx.channel().config().isAutoRead()) {
                // We are not reading (an earlier pipelined request is in flight): not the client's delay.
                startHeadTimer(ctx);
                return;
            }
            // Slow or stalled head (slowloris): refuse it like any malformed request.
            state = State.BAD;
            ByteBuf pending = internalBuffer();
            pending.skipBytes(pending.readableBytes());
            ctx.fireChannelRead(invalidRequest(new Malformed(HttpResponseStatus.REQUEST_TIMEOUT, "request headers timeout")));
            ctx.fireChannelReadComplete();
        }, headTimeoutMillis, TimeUnit.MILLISECONDS);
    }

    private void cancelHeadTimer() {
        if (headTimer != null) {
            headTimer.cancel(false);
            headTimer = null;
        }
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) throws Exception {
        cancelHeadTimer();
        super.handlerRemoved0(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        cancelHeadTimer();
        super.channelInactive(ctx);
    }

    @Override
    protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        // A request cut short by the client closing is never completed: no last piece is
        // emitted, so the exchange sees the close and aborts the upstream request.
        if (in.isReadable()) decode(ctx, in, out);
    }

    private static HttpRequest invalidRequest(Exception cause) {
        HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/bad-request", new DefaultHttpHeaders());
        r.setDecoderResult(DecoderResult.failure(cause));
        return r;
    }

    // ---- head ----

    @Override
    void decodeHead(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        readHead(in, out);
        if (state == State.HEAD && in.isReadable()) startHeadTimer(ctx);
    }

    private void readHead(ByteBuf in, List<Object> out) {
        // RFC 9112 2.2: ignore empty lines received before the request-line.
        while (in.readableBytes() >= 2 && in.getByte(in.readerIndex()) == '\r' && in.getByte(in.readerIndex() + 1) == '\n') {
            in.skipBytes(2);
        }
        if (!in.isReadable()) return;
        int start = in.readerIndex();
        int lineEnd = Http1Grammar.findLineEnd(in, start, maxLineBytes + 2);
        if (lineEnd < 0) {
            if (in.readableBytes() > maxLineBytes + 1) throw tooLongLine();
            return;
        }
        if (lineEnd - start > maxLineBytes) throw tooLongLine();
        int headEnd = Http1Grammar.findHeadEnd(in, lineEnd);
        if (headEnd < 0) {
            if (in.writerIndex() - lineEnd - 2 > maxHeaderBytes + 2) throw tooLargeHeaders();
            return;
        }
        // The limit counts the field lines with their CRLFs, not the request line or the final CRLF.
        if (headEnd - lineEnd - 4 > maxHeaderBytes) throw tooLargeHeaders();
        FlatHttpHeaders headers = new FlatHttpHeaders(0);
        HttpRequest request = Http1Grammar.parseRequestLine(in, start, lineEnd, headers);
        // Room for what framing may set on it (Content-Length, Transfer-Encoding) and for the four
        // fields a proxied request gains (X-Forwarded-For, X-Forwarded-Proto, X-Request-Id, Via): the
        // upstream request's copy of these fields then shares their arrays (FlatHttpHeaders.copy).
        FieldLines.parse(in, lineEnd + 2, headEnd, headers, false, false, 6);
        boolean bodyless = frame(request);
        cancelHeadTimer();
        in.readerIndex(headEnd);
        out.add(request);
        if (bodyless) out.add(LastHttpContent.EMPTY_LAST_CONTENT);
    }

    private static Malformed tooLongLine() {
        return new Malformed(HttpResponseStatus.REQUEST_URI_TOO_LONG, "request line too long");
    }

    private static Malformed tooLargeHeaders() {
        return new Malformed(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "request header block too large");
    }

    // ---- framing (RFC 9112 6.1-6.3) ----

    /** Sets the body state for the request; true when it has no body. */
    private boolean frame(HttpRequest request) {
        HttpHeaders h = request.headers();
        List<String> te = HeaderRules.values(h, HttpHeaderNames.TRANSFER_ENCODING);
        List<String> cl = HeaderRules.values(h, HttpHeaderNames.CONTENT_LENGTH);
        if (!te.isEmpty()) {
            if (request.protocolVersion().equals(HttpVersion.HTTP_1_0)) {
                throw new Malformed("Transfer-Encoding in an HTTP/1.0 request");
            }
            if (!cl.isEmpty()) throw new Malformed("both Transfer-Encoding and Content-Length");
            Http1Grammar.checkTransferCodings(te);
            h.set(HttpHeaderNames.TRANSFER_ENCODING, "chunked");
            expectChunked();
            return false;
        }
        if (!cl.isEmpty()) {
            if (cl.size() > 1) throw new Malformed("multiple Content-Length fields");
            long length = Http1Grammar.parseContentLength(cl.getFirst());
            h.set(HttpHeaderNames.CONTENT_LENGTH, Long.toString(length));
            expectFixed(length);
            return length == 0;
        }
        expectFixed(0);
        return true;
    }
}
