package yastack.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultHttpContent;
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
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

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
class RequestDecoder extends ByteToMessageDecoder {
    /** Why a message is refused; {@link RequestChecks} answers with {@link #status}. */
    static final class Malformed extends IllegalArgumentException {
        final HttpResponseStatus status;

        Malformed(HttpResponseStatus status, String message) {
            super(message);
            this.status = status;
        }

        Malformed(String message) {
            this(HttpResponseStatus.BAD_REQUEST, message);
        }
    }

    private static final int MAX_CHUNK_LINE = 4096;

    private enum State { HEAD, FIXED, CHUNK_SIZE, CHUNK_DATA, CHUNK_END, TRAILERS, BAD }

    private final int maxLineBytes;
    private final int maxHeaderBytes;
    private final int maxPieceBytes;
    private final long headTimeoutMillis;
    private State state = State.HEAD;
    private long remaining;
    private ScheduledFuture<?> headTimer;

    /** @param headTimeoutMillis time from the first byte of a request head to its last (0: none); then 408 */
    RequestDecoder(int maxLineBytes, int maxHeaderBytes, int maxPieceBytes, long headTimeoutMillis) {
        this.maxLineBytes = maxLineBytes;
        this.maxHeaderBytes = maxHeaderBytes;
        this.maxPieceBytes = maxPieceBytes;
        this.headTimeoutMillis = headTimeoutMillis;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        try {
            switch (state) {
                case HEAD -> {
                    decodeHead(in, out);
                    if (state == State.HEAD && in.isReadable()) startHeadTimer(ctx);
                }
                case FIXED -> decodeFixed(in, out);
                case CHUNK_SIZE -> decodeChunkSize(in);
                case CHUNK_DATA -> decodeChunkData(in, out);
                case CHUNK_END -> decodeChunkEnd(in);
                case TRAILERS -> decodeTrailers(in, out);
                case BAD -> in.skipBytes(in.readableBytes());
            }
        } catch (Malformed e) {
            cancelHeadTimer();
            boolean inHead = state == State.HEAD;
            state = State.BAD;
            in.skipBytes(in.readableBytes());
            if (inHead) {
                out.add(invalidRequest(e));
            } else {
                LastHttpContent bad = new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER);
                bad.setDecoderResult(DecoderResult.failure(e));
                out.add(bad);
            }
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

    private void decodeHead(ByteBuf in, List<Object> out) {
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
        HttpRequest request = Http1Grammar.parseRequestLine(in, start, lineEnd);
        HttpHeaders headers = request.headers();
        int fieldsEnd = headEnd - 2;
        Http1Grammar.parseFields(in, lineEnd + 2, fieldsEnd, headers, false);
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
            state = State.CHUNK_SIZE;
            return false;
        }
        if (!cl.isEmpty()) {
            if (cl.size() > 1) throw new Malformed("multiple Content-Length fields");
            long length = Http1Grammar.parseContentLength(cl.getFirst());
            h.set(HttpHeaderNames.CONTENT_LENGTH, Long.toString(length));
            if (length > 0) {
                remaining = length;
                state = State.FIXED;
                return false;
            }
        }
        state = State.HEAD;
        return true;
    }

    // ---- bodies ----

    private void decodeFixed(ByteBuf in, List<Object> out) {
        int n = (int) Math.min(Math.min(in.readableBytes(), maxPieceBytes), remaining);
        if (n == 0) return;
        ByteBuf piece = in.readRetainedSlice(n);
        remaining -= n;
        if (remaining == 0) {
            out.add(new DefaultLastHttpContent(piece));
            state = State.HEAD;
        } else {
            out.add(new DefaultHttpContent(piece));
        }
    }

    /** chunk-size [ chunk-ext ] CRLF, with chunk-ext = *( BWS ";" BWS name [ BWS "=" BWS ( token / quoted-string ) ] ). */
    private void decodeChunkSize(ByteBuf in) {
        int start = in.readerIndex();
        int end = Http1Grammar.findLineEnd(in, start, MAX_CHUNK_LINE);
        if (end < 0) {
            if (in.readableBytes() >= MAX_CHUNK_LINE) throw new Malformed("chunk size line too long");
            return;
        }
        String line = in.toString(start, end - start, StandardCharsets.ISO_8859_1);
        int i = 0;
        long size = 0;
        while (i < line.length() && Http1Grammar.hexValue(line.charAt(i)) >= 0) {
            if (size > (Long.MAX_VALUE >> 4)) throw new Malformed("chunk size too large");
            size = (size << 4) | Http1Grammar.hexValue(line.charAt(i));
            i++;
        }
        if (i == 0) throw new Malformed("invalid chunk size");
        Http1Grammar.checkChunkExtensions(line, i);
        in.readerIndex(end + 2);
        if (size == 0) {
            state = State.TRAILERS;
        } else {
            remaining = size;
            state = State.CHUNK_DATA;
        }
    }

    private void decodeChunkData(ByteBuf in, List<Object> out) {
        int n = (int) Math.min(Math.min(in.readableBytes(), maxPieceBytes), remaining);
        if (n == 0) return;
        out.add(new DefaultHttpContent(in.readRetainedSlice(n)));
        remaining -= n;
        if (remaining == 0) state = State.CHUNK_END;
    }

    private void decodeChunkEnd(ByteBuf in) {
        if (in.readableBytes() < 2) {
            if (in.isReadable() && in.getByte(in.readerIndex()) != '\r') throw new Malformed("chunk data not followed by CRLF");
            return;
        }
        if (in.getByte(in.readerIndex()) != '\r' || in.getByte(in.readerIndex() + 1) != '\n') {
            throw new Malformed("chunk data not followed by CRLF");
        }
        in.skipBytes(2);
        state = State.CHUNK_SIZE;
    }

    private void decodeTrailers(ByteBuf in, List<Object> out) {
        int start = in.readerIndex();
        if (in.readableBytes() >= 2 && in.getByte(start) == '\r' && in.getByte(start + 1) == '\n') {
            in.skipBytes(2);
            out.add(LastHttpContent.EMPTY_LAST_CONTENT);
            state = State.HEAD;
            return;
        }
        int firstEnd = Http1Grammar.findLineEnd(in, start, maxHeaderBytes + 2);
        if (firstEnd < 0) {
            if (in.readableBytes() > maxHeaderBytes + 2) throw new Malformed("trailer section too large");
            return;
        }
        int end = Http1Grammar.findHeadEnd(in, firstEnd);
        if (end < 0) {
            if (in.readableBytes() > maxHeaderBytes + 2) throw new Malformed("trailer section too large");
            return;
        }
        if (end - start > maxHeaderBytes + 2) throw new Malformed("trailer section too large");
        LastHttpContent last = new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER);
        Http1Grammar.parseFields(in, start, end - 2, last.trailingHeaders(), true);
        in.readerIndex(end);
        out.add(last);
        state = State.HEAD;
    }


}
