package yastack.proxy;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2StreamFrame;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.handler.codec.http2.ReadOnlyHttp2Headers;
import io.netty.util.AsciiString;
import java.util.Arrays;
import java.util.List;

/**
 * A downstream HTTP/2 stream's frames as HTTP/1.1 messages, as Netty's codec makes them,
 * except that a request head is converted straight into {@link FlatHttpHeaders}: Netty's
 * conversion fills a hashed {@code DefaultHttpHeaders} (which the proxy then copies), and for
 * a request that ends with its head also a second one for trailers and a buffer for the
 * empty body (~1.4 KB of the ~8.4 KB allocated per proxied h2 request, measured). The field
 * translation itself is Netty's ({@link HttpConversionUtil#addHttp2ToHttpHeaders}): pseudo-
 * headers to the request line and Host, the stream id added; split Cookie fields are then
 * joined into one. A response head goes out the same way round ({@link #encode}); bodies and
 * trailers are the parent's. Like its parent it
 * keeps no state of its own, so one instance serves every stream.
 */
@ChannelHandler.Sharable
final class Http2RequestCodec extends Http2StreamFrameToHttpObjectCodec {
    static final Http2RequestCodec INSTANCE = new Http2RequestCodec();

    /**
     * Fields HTTP/2 does not carry (RFC 9113 8.2.2; Connection is among {@link #NETTYS_WAY}), and
     * the names Netty's conversion uses for pseudo-headers.
     */
    private static final HeaderNameSet NOT_IN_HTTP2 = new HeaderNameSet(HttpHeaderNames.KEEP_ALIVE,
            HttpHeaderNames.PROXY_CONNECTION, HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderNames.HOST, HttpHeaderNames.UPGRADE,
            HttpConversionUtil.ExtensionHeaderNames.STREAM_ID.text(),
            HttpConversionUtil.ExtensionHeaderNames.SCHEME.text(), HttpConversionUtil.ExtensionHeaderNames.PATH.text(),
            HttpConversionUtil.ExtensionHeaderNames.PROTOCOL.text());

    /** Fields whose translation is Netty's own (see {@link #encode}): their head takes its way. */
    private static final HeaderNameSet NETTYS_WAY = new HeaderNameSet(HttpHeaderNames.CONNECTION, HttpHeaderNames.TE,
            HttpHeaderNames.COOKIE);

    private Http2RequestCodec() {
        super(true, true);
    }

    /**
     * A response head the proxy forwards becomes a HEADERS frame straight from its field arrays
     * (names lowered through {@link FieldLines#lowerCase}). Netty's conversion lowers every
     * name into a new string and builds a hashed set of the Connection field's options per
     * response; the proxy has removed Connection and what it names before this point
     * ({@link HeaderRules#stripHopByHop}), so a head that still carries Connection or TE (a
     * filter added it) takes Netty's way, which drops what HTTP/2 forbids (RFC 9113 8.2.2), as
     * does one with a Cookie field (Netty splits it for compression; not a response's field).
     */
    @Override
    protected void encode(ChannelHandlerContext ctx, HttpObject obj, List<Object> out) throws Exception {
        if (obj instanceof HttpResponse r && !(obj instanceof HttpContent) && r.headers() instanceof FlatHttpHeaders h
                && r.status().code() != HttpResponseStatus.CONTINUE.code()) {
            Http2Headers head = responseHead(r.status(), h);
            if (head != null) {
                out.add(new DefaultHttp2HeadersFrame(head, false));
                return;
            }
        }
        super.encode(ctx, obj, out);
    }

    /**
     * The HEADERS of a response head, in one pass over its fields; null when one of them is for
     * Netty's way. The frame's headers are Netty's read-only kind, names and values in one flat
     * array: the HPACK encoder only iterates them, where a hashed {@code DefaultHttp2Headers} made
     * an entry object per field and a bucket array per response (bench/README.md, "Fifteenth
     * pass"). Names and the status are checked as {@code DefaultHttp2Headers} checks them.
     */
    static Http2Headers responseHead(HttpResponseStatus status, FlatHttpHeaders in) {
        AsciiString[] fields = new AsciiString[2 * in.size()];
        int n = 0;
        for (int i = 0; i < in.size(); i++) {
            CharSequence name = in.nameAt(i);
            int key = FlatHttpHeaders.key(name);
            if (NETTYS_WAY.has(key, name)) return null;
            if (NOT_IN_HTTP2.has(key, name)) continue;
            fields[n++] = FieldLines.lowerCase(name);
            fields[n++] = AsciiString.of(in.valueAt(i));
        }
        return ReadOnlyHttp2Headers.serverHeaders(true, status.codeAsText(), n == fields.length ? fields : Arrays.copyOf(fields, n));
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, Http2StreamFrame frame, List<Object> out) throws Exception {
        if (frame instanceof Http2HeadersFrame head && head.headers().method() != null) {
            out.add(request(head));
        } else {
            super.decode(ctx, frame, out);
        }
    }

    /** The request a head frame opens; a malformed one is a stream error, as in Netty's conversion. */
    static HttpRequest request(Http2HeadersFrame frame) throws Http2Exception {
        Http2Headers h2 = frame.headers();
        int id = frame.stream() == null ? 0 : frame.stream().id();
        try {
            CharSequence method = h2.method();
            // CONNECT names its target in :authority (RFC 9113 8.5); every other method in :path.
            boolean connect = HttpMethod.CONNECT.asciiName().contentEqualsIgnoreCase(method);
            CharSequence target = connect ? h2.authority() : h2.path();
            if (target == null) {
                throw new IllegalArgumentException((connect ? "authority" : "path") + " header cannot be null in conversion to HTTP/1.x");
            }
            FlatHttpHeaders headers = new FlatHttpHeaders(h2.size() + 4); // + what the proxy adds
            HttpConversionUtil.addHttp2ToHttpHeaders(id, h2, headers, HttpVersion.HTTP_1_1, false, true);
            joinCookies(headers);
            HttpMethod m = method(method);
            String uri = target.toString();
            if (frame.isEndStream()) {
                // No body and no trailers: the shared empty ones, as Http1BodyDecoder gives a fixed-length body.
                return new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, m, uri, Unpooled.EMPTY_BUFFER, headers, EmptyHttpHeaders.INSTANCE);
            }
            HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, m, uri, headers);
            // DATA frames follow, delimited by the stream's end: as HTTP/1.1, chunked unless a length is given.
            if (!HttpUtil.isContentLengthSet(r)) headers.add(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
            return r;
        } catch (Http2Exception e) {
            throw e;
        } catch (RuntimeException e) {
            throw Http2Exception.streamError(id, Http2Error.PROTOCOL_ERROR, e, "HTTP/2 to HTTP/1.x headers conversion error");
        }
    }

    /**
     * HTTP/2 clients may split Cookie into several fields; before an HTTP/1.1 hop they are
     * joined with "; " in order (RFC 9113 8.2.3), which Netty's translation leaves undone.
     */
    private static void joinCookies(FlatHttpHeaders headers) {
        int first = headers.indexOf(HttpHeaderNames.COOKIE, 0);
        if (first < 0 || headers.indexOf(HttpHeaderNames.COOKIE, first + 1) < 0) return;
        headers.set(HttpHeaderNames.COOKIE, String.join("; ", headers.getAll(HttpHeaderNames.COOKIE)));
    }

    private static HttpMethod method(CharSequence name) {
        for (HttpMethod m : Http1Grammar.KNOWN_METHODS) {
            if (m.asciiName().contentEquals(name)) return m;
        }
        return HttpMethod.valueOf(name.toString());
    }
}
