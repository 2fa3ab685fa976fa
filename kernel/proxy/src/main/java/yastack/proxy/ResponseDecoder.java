package yastack.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;
import yastack.proxy.Http1Grammar.Malformed;

/**
 * An upstream's HTTP/1.x responses, framed as RFC 9112 6.3 says: no body after a HEAD request
 * or in a 1xx, 204 or 304; chunked when Transfer-Encoding ends in chunked (a Content-Length
 * beside it is removed); otherwise close-delimited after a Transfer-Encoding (which the
 * exchange then refuses with 502: a coding other than chunked alone is not passed on), else the
 * one valid Content-Length, else everything until the upstream closes. After a 101 the decoder
 * reads nothing more: the exchange removes it, and what it had buffered goes to the tunnel.
 *
 * <p>A head that cannot be read (any status line but "HTTP/1.x" with a three-digit code
 * 100..599 and a reason phrase of visible characters, a field line outside {@link FieldLines}'
 * response dialect, several or an invalid Content-Length, a head over the limit) is emitted as
 * a failed response, which the exchange answers with 502. A body that breaks its framing fails
 * the connection (an exception, which closes it): the client's response is then cut short
 * rather than ended as though it were whole.
 */
class ResponseDecoder extends Http1BodyDecoder {
    static final int MAX_HEAD_BYTES = 80 * 1024;
    private static final int MAX_PIECE_BYTES = 64 * 1024;

    /** The methods of the requests written and not yet answered, oldest first (the encoder adds). */
    private final ArrayDeque<HttpMethod> methods;

    ResponseDecoder(ArrayDeque<HttpMethod> methods) {
        super(true, 64 * 1024, MAX_PIECE_BYTES);
        this.methods = methods;
    }

    @Override
    void malformed(ChannelHandlerContext ctx, Malformed cause, boolean inHead, List<Object> out) {
        if (!inHead) throw new DecoderException("upstream response body: " + cause.getMessage(), cause);
        HttpResponse failed = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.BAD_GATEWAY, new FlatHttpHeaders());
        failed.setDecoderResult(DecoderResult.failure(cause));
        out.add(failed);
    }

    @Override
    protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        if (in.isReadable()) decode(ctx, in, out);
        // The close ends a close-delimited body; anything else cut short stays unfinished, so
        // the exchange sees the close (502 before a head, a cut response after one).
        if (state == State.UNTIL_CLOSE) {
            out.add(LastHttpContent.EMPTY_LAST_CONTENT);
            state = State.HEAD;
        }
    }

    @Override
    void decodeHead(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        // Empty lines before a status line are skipped, as Netty and nginx do.
        while (in.isReadable() && (in.getByte(in.readerIndex()) == '\n'
                || (in.readableBytes() >= 2 && in.getByte(in.readerIndex()) == '\r' && in.getByte(in.readerIndex() + 1) == '\n'))) {
            in.skipBytes(in.getByte(in.readerIndex()) == '\n' ? 1 : 2);
        }
        if (!in.isReadable()) return;
        if (methods.isEmpty()) {
            // Bytes no request asked for (a body longer than its framing said, a second answer):
            // kept, they would be read as the start of the next request's answer. Dropped, so
            // the close does not find them again.
            in.skipBytes(in.readableBytes());
            throw new DecoderException("upstream sent bytes with no request outstanding");
        }
        int start = in.readerIndex();
        int lineEnd = lineEnd(in, start, MAX_HEAD_BYTES);
        int headEnd = lineEnd < 0 ? -1 : sectionEnd(in, lineEnd);
        if (headEnd < 0) {
            if (in.readableBytes() > MAX_HEAD_BYTES) throw new Malformed("response head too large");
            return;
        }
        if (headEnd - start > MAX_HEAD_BYTES) throw new Malformed("response head too large");
        FlatHttpHeaders headers = new FlatHttpHeaders(0);
        HttpResponse response = statusLine(in, start, lineEnd, headers);
        // Room for what the exchange adds going down: framing, Via, Date, Connection.
        FieldLines.parse(in, afterLine(in, lineEnd), headEnd, headers, true, false, 4);
        int code = response.status().code();
        boolean interim = code < 200 && code != 101;
        HttpMethod method = interim ? methods.peek() : methods.poll(); // a 1xx precedes its request's final answer
        FlatHttpHeaders h = (FlatHttpHeaders) response.headers();
        boolean transferCoded = h.contains(HttpHeaderNames.TRANSFER_ENCODING);
        if (transferCoded) {
            // RFC 9112 6.1: an HTTP/1.0 message with Transfer-Encoding has faulty framing (no 1.0
            // server may send one), and a proxy answers faulty framing with 502 and closes (6.3).
            if (response.protocolVersion().minorVersion() == 0) throw new Malformed("Transfer-Encoding in an HTTP/1.0 response");
            // Transfer-Encoding beside Content-Length: framed by the former (6.3 (3)), but a sign
            // of an upstream desynchronised or split, so its connection ends with this response
            // (what 6.1 asks of a server for such a request; HAProxy does so for responses). The
            // exchange reads "close" as not reusable and strips it as a hop-by-hop field.
            if (h.contains(HttpHeaderNames.CONTENT_LENGTH)) h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        long length = contentLength(h, transferCoded);
        boolean bodiless = interim || code == 101 || code == 204 || code == 304 || HttpMethod.HEAD.equals(method);
        if (bodiless) {
            expectFixed(0);
        } else if (transferCoded) {
            if (endsInChunked(h.getAll(HttpHeaderNames.TRANSFER_ENCODING))) expectChunked();
            else expectUntilClose();
        } else if (length >= 0) {
            expectFixed(length);
        } else {
            expectUntilClose();
        }
        if (code == 101) state = State.SWITCHED;
        in.readerIndex(headEnd);
        out.add(response);
        if (bodiless || length == 0) out.add(LastHttpContent.EMPTY_LAST_CONTENT);
    }

    /**
     * The one valid Content-Length, or -1 when there is none or Transfer-Encoding overrides it
     * (RFC 9112 6.3 (3); then it is removed). Checked even where no body follows (HEAD, 304):
     * the field goes on to the client.
     */
    private static long contentLength(FlatHttpHeaders h, boolean transferCoded) {
        if (!h.contains(HttpHeaderNames.CONTENT_LENGTH)) return -1;
        if (transferCoded) {
            h.remove(HttpHeaderNames.CONTENT_LENGTH);
            return -1;
        }
        int first = h.indexOf(HttpHeaderNames.CONTENT_LENGTH, 0);
        if (h.indexOf(HttpHeaderNames.CONTENT_LENGTH, first + 1) >= 0) throw new Malformed("several Content-Length fields");
        return Http1Grammar.parseContentLength(h.valueAt(first));
    }

    private static boolean endsInChunked(List<String> codings) {
        String last = codings.getLast();
        int comma = last.lastIndexOf(',');
        return Http1Grammar.trimOws(last.substring(comma + 1)).equalsIgnoreCase("chunked");
    }

    /** status-line = HTTP-version SP 3DIGIT SP [ reason-phrase ] (RFC 9112 4); a missing final SP is let pass. */
    private static HttpResponse statusLine(ByteBuf in, int start, int end, FlatHttpHeaders headers) {
        int length = end - start;
        if (length < 12 || in.getByte(start + 8) != ' ') throw new Malformed("malformed status line");
        HttpVersion version = version(in, start);
        int code = 0;
        for (int i = start + 9; i < start + 12; i++) {
            byte b = in.getByte(i);
            if (b < '0' || b > '9') throw new Malformed("malformed status code");
            code = code * 10 + (b - '0');
        }
        if (code < 100 || code > 599) throw new Malformed("status code out of range");
        HttpResponseStatus status;
        if (length == 12) {
            status = HttpResponseStatus.valueOf(code, "");
        } else {
            if (in.getByte(start + 12) != ' ') throw new Malformed("malformed status line");
            int from = start + 13;
            for (int i = from; i < end; i++) {
                int c = in.getByte(i) & 0xff;
                if ((c < 0x20 && c != '\t') || c == 0x7f) throw new Malformed("control character in reason phrase");
            }
            status = status(code, in, from, end);
        }
        return new DefaultHttpResponse(version, status, headers);
    }

    /** "HTTP/1." DIGIT: 1.0, else 1.1 (RFC 9110 2.5: a higher minor is read as the highest we know). */
    private static HttpVersion version(ByteBuf in, int start) {
        if (in.getByte(start) != 'H' || in.getByte(start + 1) != 'T' || in.getByte(start + 2) != 'T' || in.getByte(start + 3) != 'P'
                || in.getByte(start + 4) != '/' || in.getByte(start + 5) != '1' || in.getByte(start + 6) != '.') {
            throw new Malformed("not an HTTP/1.x status line");
        }
        byte minor = in.getByte(start + 7);
        if (minor < '0' || minor > '9') throw new Malformed("malformed HTTP version");
        return minor == '0' ? HttpVersion.HTTP_1_0 : HttpVersion.HTTP_1_1;
    }

    /** Netty's constant when the reason is its usual one (no String made), else a status of its own. */
    private static HttpResponseStatus status(int code, ByteBuf in, int from, int end) {
        HttpResponseStatus known = HttpResponseStatus.valueOf(code);
        CharSequence reason = known.reasonPhrase();
        if (reason.length() == end - from) {
            boolean same = true;
            for (int i = 0; same && i < reason.length(); i++) same = in.getByte(from + i) == reason.charAt(i);
            if (same) return known;
        }
        return new HttpResponseStatus(code, in.toString(from, end - from, StandardCharsets.ISO_8859_1));
    }
}
