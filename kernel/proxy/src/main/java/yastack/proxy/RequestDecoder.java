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
import java.util.Locale;
import java.util.Set;
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

    /** Trailer fields that must not change how the message is framed, routed or interpreted (RFC 9110 6.5.1). */
    private static final Set<String> FORBIDDEN_TRAILERS = Set.of("content-length", "transfer-encoding", "trailer",
            "host", "connection", "keep-alive", "proxy-connection", "te", "upgrade", "expect", "content-encoding",
            "content-type", "content-range", "authorization", "proxy-authorization", "cookie", "range", "max-forwards",
            "cache-control", "pragma", "if-match", "if-none-match", "if-modified-since", "if-unmodified-since",
            "if-range");
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
        int lineEnd = findLineEnd(in, start, maxLineBytes + 2);
        if (lineEnd < 0) {
            if (in.readableBytes() > maxLineBytes + 1) throw tooLongLine();
            return;
        }
        if (lineEnd - start > maxLineBytes) throw tooLongLine();
        int headEnd = findHeadEnd(in, lineEnd);
        if (headEnd < 0) {
            if (in.writerIndex() - lineEnd - 2 > maxHeaderBytes + 2) throw tooLargeHeaders();
            return;
        }
        // The limit counts the field lines with their CRLFs, not the request line or the final CRLF.
        if (headEnd - lineEnd - 4 > maxHeaderBytes) throw tooLargeHeaders();
        HttpRequest request = parseRequestLine(in, start, lineEnd);
        HttpHeaders headers = request.headers();
        int fieldsEnd = headEnd - 2;
        parseFields(in, lineEnd + 2, fieldsEnd, headers, false);
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

    /**
     * Index of the CR of the first CRLF at or after {@code from} within {@code limit}
     * bytes, or -1. A CR or LF not part of a CRLF is malformed.
     */
    private static int findLineEnd(ByteBuf in, int from, int limit) {
        int end = (int) Math.min(in.writerIndex(), (long) from + limit);
        for (int i = from; i < end; i++) {
            byte b = in.getByte(i);
            if (b == '\n') throw new Malformed("bare LF");
            if (b == '\r') {
                if (i + 1 >= in.writerIndex()) return -1;
                if (in.getByte(i + 1) != '\n') throw new Malformed("bare CR");
                return i;
            }
        }
        return -1;
    }

    /** Index just after the CRLFCRLF ending the head, given the request line's CR; -1 when not yet received. */
    private static int findHeadEnd(ByteBuf in, int lineEnd) {
        int i = lineEnd;
        while (true) {
            // i is the CR of a line end; an empty line follows when the next two bytes are CRLF.
            if (i + 3 >= in.writerIndex()) return -1;
            if (in.getByte(i + 2) == '\r') {
                if (in.getByte(i + 3) != '\n') throw new Malformed("bare CR");
                return i + 4;
            }
            int next = findLineEnd(in, i + 2, Integer.MAX_VALUE);
            if (next < 0) return -1;
            i = next;
        }
    }

    private static HttpRequest parseRequestLine(ByteBuf in, int start, int end) {
        String line = in.toString(start, end - start, StandardCharsets.ISO_8859_1);
        int sp1 = line.indexOf(' ');
        int sp2 = sp1 < 0 ? -1 : line.indexOf(' ', sp1 + 1);
        if (sp1 <= 0 || sp2 < 0 || line.indexOf(' ', sp2 + 1) >= 0 || sp2 == sp1 + 1) {
            throw new Malformed("malformed request line");
        }
        String method = line.substring(0, sp1);
        for (int i = 0; i < method.length(); i++) {
            if (!isTchar(method.charAt(i))) throw new Malformed("invalid method");
        }
        String target = line.substring(sp1 + 1, sp2);
        for (int i = 0; i < target.length(); i++) {
            char c = target.charAt(i);
            if (c <= 0x20 || c >= 0x7f) throw new Malformed("invalid character in request target");
        }
        HttpVersion version = parseVersion(line.substring(sp2 + 1));
        return new DefaultHttpRequest(version, HttpMethod.valueOf(method), target, new DefaultHttpHeaders());
    }

    /** "HTTP/" DIGIT "." DIGIT, case-sensitive (RFC 9112 2.3). Higher 1.x minors are read as 1.1 (RFC 9110 2.5). */
    private static HttpVersion parseVersion(String v) {
        if (v.length() != 8 || !v.startsWith("HTTP/") || !isDigit(v.charAt(5)) || v.charAt(6) != '.' || !isDigit(v.charAt(7))) {
            throw new Malformed("malformed HTTP version");
        }
        int major = v.charAt(5) - '0';
        int minor = v.charAt(7) - '0';
        if (major != 1) throw new Malformed(HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED, "unsupported HTTP version");
        return minor == 0 ? HttpVersion.HTTP_1_0 : HttpVersion.HTTP_1_1;
    }

    /** Parses CRLF-terminated field lines in [from, end) into {@code headers}. */
    private static void parseFields(ByteBuf in, int from, int end, HttpHeaders headers, boolean trailers) {
        int i = from;
        while (i < end) {
            int lineEnd = in.indexOf(i, end, (byte) '\r');
            if (lineEnd < 0) lineEnd = end;
            byte first = in.getByte(i);
            if (first == ' ' || first == '\t') throw new Malformed("obsolete line folding");
            int colon = -1;
            for (int j = i; j < lineEnd; j++) {
                byte b = in.getByte(j);
                if (b == ':') {
                    colon = j;
                    break;
                }
                if (!isTchar((char) (b & 0xff))) throw new Malformed("invalid character in field name");
            }
            if (colon < 0) throw new Malformed("field line without ':'");
            if (colon == i) throw new Malformed("empty field name");
            int vs = colon + 1;
            int ve = lineEnd;
            while (vs < ve && isOws(in.getByte(vs))) vs++;
            while (ve > vs && isOws(in.getByte(ve - 1))) ve--;
            for (int j = vs; j < ve; j++) {
                int b = in.getByte(j) & 0xff;
                if ((b < 0x20 && b != '\t') || b == 0x7f) throw new Malformed("invalid character in field value");
            }
            String name = in.toString(i, colon - i, StandardCharsets.ISO_8859_1);
            if (name.indexOf('_') >= 0 && isFramingLookalike(name)) {
                // Servers that map '-' and '_' alike (CGI-style) would frame by it; we would not.
                throw new Malformed("field name looks like a framing field: " + name);
            }
            String value = in.toString(vs, ve - vs, StandardCharsets.ISO_8859_1);
            if (!trailers || !FORBIDDEN_TRAILERS.contains(name.toLowerCase(Locale.ROOT))) headers.add(name, value);
            i = lineEnd + 2;
        }
    }

    private static boolean isFramingLookalike(String name) {
        String n = name.replace('_', '-');
        return n.equalsIgnoreCase("content-length") || n.equalsIgnoreCase("transfer-encoding");
    }

    // ---- framing (RFC 9112 6.1-6.3) ----

    /** Sets the body state for the request; true when it has no body. */
    private boolean frame(HttpRequest request) {
        HttpHeaders h = request.headers();
        List<String> te = h.getAll(HttpHeaderNames.TRANSFER_ENCODING);
        List<String> cl = h.getAll(HttpHeaderNames.CONTENT_LENGTH);
        if (!te.isEmpty()) {
            if (request.protocolVersion().equals(HttpVersion.HTTP_1_0)) {
                throw new Malformed("Transfer-Encoding in an HTTP/1.0 request");
            }
            if (!cl.isEmpty()) throw new Malformed("both Transfer-Encoding and Content-Length");
            checkTransferCodings(te);
            h.set(HttpHeaderNames.TRANSFER_ENCODING, "chunked");
            state = State.CHUNK_SIZE;
            return false;
        }
        if (!cl.isEmpty()) {
            if (cl.size() > 1) throw new Malformed("multiple Content-Length fields");
            long length = parseContentLength(cl.getFirst());
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

    /** Only "chunked", once and last; an unknown coding before it is 501, as RFC 9112 6.1 asks. */
    private static void checkTransferCodings(List<String> values) {
        int chunked = 0;
        boolean chunkedLast = false;
        boolean other = false;
        for (String value : values) {
            for (String coding : value.split(",", -1)) {
                String c = trimOws(coding).toLowerCase(Locale.ROOT);
                if (c.isEmpty()) throw new Malformed("empty transfer coding");
                chunkedLast = c.equals("chunked");
                if (chunkedLast) chunked++;
                else other = true;
            }
        }
        if (chunked != 1 || !chunkedLast) throw new Malformed("chunked must be the final transfer coding, once");
        if (other) throw new Malformed(HttpResponseStatus.NOT_IMPLEMENTED, "unsupported transfer coding");
    }

    private static long parseContentLength(String value) {
        if (value.isEmpty() || value.length() > 18) throw new Malformed("invalid Content-Length");
        long n = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (!isDigit(c)) throw new Malformed("invalid Content-Length");
            n = n * 10 + (c - '0');
        }
        return n;
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
        int end = findLineEnd(in, start, MAX_CHUNK_LINE);
        if (end < 0) {
            if (in.readableBytes() >= MAX_CHUNK_LINE) throw new Malformed("chunk size line too long");
            return;
        }
        String line = in.toString(start, end - start, StandardCharsets.ISO_8859_1);
        int i = 0;
        long size = 0;
        while (i < line.length() && hexValue(line.charAt(i)) >= 0) {
            if (size > (Long.MAX_VALUE >> 4)) throw new Malformed("chunk size too large");
            size = (size << 4) | hexValue(line.charAt(i));
            i++;
        }
        if (i == 0) throw new Malformed("invalid chunk size");
        checkChunkExtensions(line, i);
        in.readerIndex(end + 2);
        if (size == 0) {
            state = State.TRAILERS;
        } else {
            remaining = size;
            state = State.CHUNK_DATA;
        }
    }

    private static void checkChunkExtensions(String line, int i) {
        int n = line.length();
        while (i < n) {
            while (i < n && isOws((byte) line.charAt(i))) i++;
            if (i == n || line.charAt(i) != ';') throw new Malformed("invalid chunk extension");
            i++;
            while (i < n && isOws((byte) line.charAt(i))) i++;
            int nameStart = i;
            while (i < n && isTchar(line.charAt(i))) i++;
            if (i == nameStart) throw new Malformed("invalid chunk extension name");
            int save = i;
            while (i < n && isOws((byte) line.charAt(i))) i++;
            if (i < n && line.charAt(i) == '=') {
                i++;
                while (i < n && isOws((byte) line.charAt(i))) i++;
                if (i < n && line.charAt(i) == '"') {
                    i++;
                    while (true) {
                        if (i >= n) throw new Malformed("unterminated quoted chunk extension");
                        char c = line.charAt(i);
                        if (c == '"') {
                            i++;
                            break;
                        }
                        if (c == '\\') {
                            i++;
                            if (i >= n || !isQuotedPairChar(line.charAt(i))) throw new Malformed("invalid quoted-pair");
                        } else if (!isQdtext(c)) {
                            throw new Malformed("invalid character in quoted chunk extension");
                        }
                        i++;
                    }
                } else {
                    int valueStart = i;
                    while (i < n && isTchar(line.charAt(i))) i++;
                    if (i == valueStart) throw new Malformed("invalid chunk extension value");
                }
            } else {
                i = save;
            }
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
        int firstEnd = findLineEnd(in, start, maxHeaderBytes + 2);
        if (firstEnd < 0) {
            if (in.readableBytes() > maxHeaderBytes + 2) throw new Malformed("trailer section too large");
            return;
        }
        int end = findHeadEnd(in, firstEnd);
        if (end < 0) {
            if (in.readableBytes() > maxHeaderBytes + 2) throw new Malformed("trailer section too large");
            return;
        }
        if (end - start > maxHeaderBytes + 2) throw new Malformed("trailer section too large");
        LastHttpContent last = new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER);
        parseFields(in, start, end - 2, last.trailingHeaders(), true);
        in.readerIndex(end);
        out.add(last);
        state = State.HEAD;
    }

    // ---- character classes (RFC 9110 5.6.2, 5.6.4) ----

    static boolean isTchar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isOws(byte b) {
        return b == ' ' || b == '\t';
    }

    private static boolean isQdtext(char c) {
        return c == '\t' || c == ' ' || c == 0x21 || (c >= 0x23 && c <= 0x5b) || (c >= 0x5d && c <= 0x7e) || (c >= 0x80 && c <= 0xff);
    }

    private static boolean isQuotedPairChar(char c) {
        return c == '\t' || c == ' ' || (c >= 0x21 && c <= 0x7e) || (c >= 0x80 && c <= 0xff);
    }

    private static int hexValue(char c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    }

    private static String trimOws(String s) {
        int a = 0;
        int b = s.length();
        while (a < b && isOws((byte) s.charAt(a))) a++;
        while (b > a && isOws((byte) s.charAt(b - 1))) b--;
        return s.substring(a, b);
    }
}
