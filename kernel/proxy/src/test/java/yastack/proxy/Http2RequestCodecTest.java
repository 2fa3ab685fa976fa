package yastack.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.HttpConversionUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** A downstream h2 request head converted into our header arrays reads as Netty's own conversion would. */
class Http2RequestCodecTest {
    private static Http2Headers get(String path) {
        return new DefaultHttp2Headers().method("GET").path(path).scheme("https").authority("example.com:8443")
                .add("accept", "*/*").add("cookie", "a=1").add("cookie", "b=2").add("x-multi", "1").add("x-multi", "2");
    }

    @Test
    void aHeadEndingTheStreamIsAFullRequestLikeNettys() throws Exception {
        Http2Headers h2 = get("/p?q=1");
        HttpRequest r = Http2RequestCodec.request(new DefaultHttp2HeadersFrame(h2, true));
        FullHttpRequest netty = HttpConversionUtil.toFullHttpRequest(0, h2, io.netty.buffer.UnpooledByteBufAllocator.DEFAULT, true);
        try {
            assertInstanceOf(FullHttpRequest.class, r);
            assertInstanceOf(FlatHttpHeaders.class, r.headers());
            assertEquals(0, ((FullHttpRequest) r).content().readableBytes());
            assertEquals(HttpMethod.GET, r.method());
            assertEquals(netty.uri(), r.uri());
            assertEquals(netty.protocolVersion(), r.protocolVersion());
            // The same fields as Netty's conversion, but the cookies joined into one (RFC 9113 8.2.3).
            DefaultHttpHeaders ours = new DefaultHttpHeaders();
            ours.add(r.headers());
            ours.remove(HttpHeaderNames.COOKIE);
            netty.headers().remove(HttpHeaderNames.COOKIE);
            assertEquals(netty.headers().entries().toString(), ours.entries().toString());
            assertEquals("example.com:8443", r.headers().get(HttpHeaderNames.HOST));
            assertEquals(List.of("a=1; b=2"), r.headers().getAll(HttpHeaderNames.COOKIE));
            assertEquals(List.of("1", "2"), r.headers().getAll("x-multi"), "other repeated fields stay as they came");
        } finally {
            netty.release();
        }
    }

    @Test
    void aHeadWithABodyToFollowIsChunkedUnlessItGivesALength() throws Exception {
        HttpRequest chunked = Http2RequestCodec.request(new DefaultHttp2HeadersFrame(
                new DefaultHttp2Headers().method("POST").path("/up").scheme("https").authority("h"), false));
        assertFalse(chunked instanceof FullHttpRequest);
        assertEquals(HttpMethod.POST, chunked.method());
        assertEquals("chunked", chunked.headers().get(HttpHeaderNames.TRANSFER_ENCODING));

        HttpRequest sized = Http2RequestCodec.request(new DefaultHttp2HeadersFrame(
                new DefaultHttp2Headers().method("PUT").path("/up").scheme("https").authority("h").add("content-length", "5"), false));
        assertFalse(sized.headers().contains(HttpHeaderNames.TRANSFER_ENCODING));
        assertEquals("5", sized.headers().get(HttpHeaderNames.CONTENT_LENGTH));
    }

    @Test
    void connectTakesItsTargetFromTheAuthorityAndOtherMethodsAreKept() throws Exception {
        HttpRequest connect = Http2RequestCodec.request(new DefaultHttp2HeadersFrame(
                new DefaultHttp2Headers().method("CONNECT").authority("backend:443"), true));
        assertEquals(HttpMethod.CONNECT, connect.method());
        assertEquals("backend:443", connect.uri());

        HttpRequest custom = Http2RequestCodec.request(new DefaultHttp2HeadersFrame(
                new DefaultHttp2Headers().method("PURGE").path("/x").scheme("https").authority("h"), true));
        assertEquals("PURGE", custom.method().name());
    }

    @Test
    void aHeadThatCannotBeConvertedIsAStreamProtocolError() {
        Http2Exception noPath = assertThrows(Http2Exception.class, () -> Http2RequestCodec.request(
                new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().method("GET").scheme("https").authority("h"), true)));
        assertEquals(Http2Error.PROTOCOL_ERROR, noPath.error());
        assertTrue(noPath.getCause().getMessage().contains("path"), noPath.getCause().getMessage());

        Http2Exception badValue = assertThrows(Http2Exception.class, () -> Http2RequestCodec.request(new DefaultHttp2HeadersFrame(
                new DefaultHttp2Headers(false).method("GET").path("/").scheme("https").authority("h").add("x-bad", "a\u0001b"), true)));
        assertEquals(Http2Error.PROTOCOL_ERROR, badValue.error());
    }

    private static FlatHttpHeaders parsedResponseFields(String fields) {
        ByteBuf in = Unpooled.copiedBuffer(fields, StandardCharsets.ISO_8859_1);
        FlatHttpHeaders h = new FlatHttpHeaders(0);
        FieldLines.parse(in, 0, in.writerIndex(), h, true, false, 2);
        return h;
    }

    private static Http2Headers encodeHead(HttpResponse r) throws Exception {
        List<Object> out = new ArrayList<>();
        Http2RequestCodec.INSTANCE.encode(null, r, out);
        assertEquals(1, out.size());
        Http2HeadersFrame frame = assertInstanceOf(Http2HeadersFrame.class, out.get(0));
        assertFalse(frame.isEndStream(), "the body or its end follows");
        return frame.headers();
    }

    @Test
    void aForwardedResponseHeadIsTheHeadersNettysConversionMakes() throws Exception {
        // As an nginx upstream spells them, plus what the proxy and a plugin add.
        FlatHttpHeaders fields = parsedResponseFields("Server: nginx/1.22.1\r\nDate: Mon, 07 Dec 2026 21:00:00 GMT\r\n"
                + "Content-Type: text/plain\r\nContent-Length: 100\r\nLast-Modified: Mon, 07 Dec 2026 20:00:00 GMT\r\n"
                + "ETag: \"abc\"\r\nAccept-Ranges: bytes\r\nX-Custom-Thing: 1\r\nset-cookie: a=1\r\nSet-Cookie: b=2\r\n\r\n");
        fields.add(HttpHeaderNames.VIA, "1.1 yastack");
        fields.add("X-Plugin", "yes");
        HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.OK, fields);
        Http2Headers ours = encodeHead(r);
        Http2Headers netty = HttpConversionUtil.toHttp2Headers(r, true);
        assertEquals(fields(netty), fields(ours));
        assertEquals("200", ours.status().toString());
        assertEquals(List.of("a=1", "b=2"), ours.getAll("set-cookie").stream().map(CharSequence::toString).toList());
        // The names are the shared lower-case constants, not a string made per response.
        CharSequence server = null;
        for (var field : ours) if (field.getKey().toString().equals("server")) server = field.getKey();
        assertTrue(server == FieldLines.lowerCase(fields.nameAt(0)), "server: the parsed name's lower-case twin");
        for (var field : ours) {
            String name = field.getKey().toString();
            assertEquals(name.toLowerCase(Locale.ROOT), name, "HTTP/2 field names are lower case (RFC 9113 8.2.1)");
        }
    }

    /** A head's fields in order, pseudo-headers first, as "name: value" lines. */
    private static List<String> fields(Http2Headers h) {
        List<String> out = new ArrayList<>();
        for (var field : h) out.add(field.getKey() + ": " + field.getValue());
        return out;
    }

    @Test
    void connectionSpecificFieldsAreNotSentOverHttp2() throws Exception {
        // A filter may add them after the proxy stripped the upstream's: HTTP/2 forbids them (RFC 9113 8.2.2).
        FlatHttpHeaders fields = parsedResponseFields("Content-Length: 2\r\nX-Keep: 1\r\n\r\n");
        fields.add(HttpHeaderNames.TRANSFER_ENCODING, "chunked");
        fields.add("Keep-Alive", "timeout=5");
        fields.add(HttpHeaderNames.UPGRADE, "websocket");
        Http2Headers plain = encodeHead(new DefaultHttpResponse(
                HttpVersion.HTTP_1_1, HttpResponseStatus.OK, fields));
        assertEquals(List.of(":status", "content-length", "x-keep"), names(plain));

        fields.add(HttpHeaderNames.CONNECTION, "x-keep");
        fields.add(HttpHeaderNames.TE, "trailers");
        Http2Headers named = encodeHead(new DefaultHttpResponse(
                HttpVersion.HTTP_1_1, HttpResponseStatus.OK, fields));
        assertEquals(List.of(":status", "content-length", "te"), names(named), "what Connection names goes too; TE only as trailers");
    }

    private static List<String> names(Http2Headers h) {
        List<String> names = new ArrayList<>();
        for (var field : h) names.add(field.getKey().toString());
        return names;
    }
}
