package yastack.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Content-Length read in place and rewritten only when the head does not already say it. */
class HeaderRulesTest {
    private static FlatHttpHeaders parsed(String fields) {
        ByteBuf in = Unpooled.copiedBuffer(fields, StandardCharsets.ISO_8859_1);
        FlatHttpHeaders h = new FlatHttpHeaders(0);
        FieldLines.parse(in, 0, in.writerIndex(), h, true, false, 2);
        return h;
    }

    private static CharSequence lengthField(FlatHttpHeaders h) {
        return h.valueAt(h.indexOf(HttpHeaderNames.CONTENT_LENGTH, 0));
    }

    @Test
    void aHeadThatAlreadySaysTheLengthIsSentWithItsOwnText() {
        FlatHttpHeaders h = parsed("Server: x\r\nContent-Length: 100\r\n\r\n");
        assertEquals(100, HeaderRules.contentLength(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, h), -1));
        assertSame(lengthField(h), HeaderRules.contentLengthValue(h, 100));
        assertEquals(7L, HeaderRules.contentLengthValue(h, 7));
    }

    @Test
    void anUpstreamResponseAsDecodedIsForwardedWithItsLengthText() {
        EmbeddedChannel ch = new EmbeddedChannel(new UpstreamCodec());
        ch.writeOutbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/"));
        ch.<ByteBuf>readOutbound().release();
        ch.writeInbound(Unpooled.copiedBuffer("HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nContent-Type: text/html\r\n"
                + "Content-Length: 3\r\nConnection: keep-alive\r\nAccept-Ranges: bytes\r\n\r\nabc", StandardCharsets.ISO_8859_1));
        HttpResponse r = ch.readInbound();
        FlatHttpHeaders h = (FlatHttpHeaders) r.headers();
        long length = HeaderRules.contentLength(r, -1);
        CharSequence text = lengthField(h);
        Object value = HeaderRules.contentLengthValue(h, length);
        HeaderRules.stripHopByHop(h);
        assertEquals(-1, h.indexOf(HttpHeaderNames.CONTENT_LENGTH, 0), "framing fields are stripped, then set by the caller");
        assertEquals(3, length);
        assertSame(text, value);
        ch.finishAndReleaseAll();
    }

    @Test
    void leadingZerosOrSeveralFieldsAreSentAsTheNumber() {
        assertEquals(100L, HeaderRules.contentLengthValue(parsed("Content-Length: 0100\r\n\r\n"), 100));
        assertEquals(5L, HeaderRules.contentLengthValue(parsed("Content-Length: 5\r\nContent-Length: 5\r\n\r\n"), 5));
        assertEquals("0", HeaderRules.contentLengthValue(parsed("Content-Length: 0\r\n\r\n"), 0).toString());
    }

    @Test
    void absentOrUnusualValuesFallBackToNettysReading() {
        FlatHttpHeaders none = parsed("Server: x\r\n\r\n");
        assertEquals(-1, HeaderRules.contentLength(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, none), -1));
        FlatHttpHeaders big = parsed("Content-Length: 1234567890123456789\r\n\r\n");
        assertEquals(1234567890123456789L,
                HeaderRules.contentLength(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, big), -1));
    }
}
