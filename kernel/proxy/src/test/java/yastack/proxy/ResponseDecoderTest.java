package yastack.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link ResponseDecoder} through {@link UpstreamCodec} as a pooled upstream connection uses
 * it: a request goes out, the upstream's bytes come in, in one piece or several. Framing
 * follows RFC 9112 6.3; heads are read in the response dialect (bare LF, obs-fold, whitespace
 * before the colon); a head that cannot be read is a failed response, a broken body an error.
 */
class ResponseDecoderTest {
    /** The messages decoded from {@code parts} arriving one after the other, answering a {@code method} request. */
    private static List<Object> decode(HttpMethod method, String... parts) {
        EmbeddedChannel ch = channel(method);
        for (String part : parts) ch.writeInbound(bytes(part));
        return drain(ch);
    }

    private static EmbeddedChannel channel(HttpMethod method) {
        EmbeddedChannel ch = new EmbeddedChannel(new UpstreamCodec());
        send(ch, method);
        return ch;
    }

    private static void send(EmbeddedChannel ch, HttpMethod method) {
        ch.writeOutbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, "/"));
        ch.<ByteBuf>readOutbound().release();
    }

    private static ByteBuf bytes(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.ISO_8859_1);
    }

    private static List<Object> drain(EmbeddedChannel ch) {
        List<Object> out = new ArrayList<>();
        for (Object m; (m = ch.readInbound()) != null; ) out.add(m);
        return out;
    }

    private static String body(List<Object> msgs) {
        StringBuilder b = new StringBuilder();
        for (Object m : msgs) {
            if (m instanceof HttpContent c) {
                b.append(c.content().toString(StandardCharsets.ISO_8859_1));
                c.release();
            }
        }
        return b.toString();
    }

    private static HttpResponse head(List<Object> msgs, int index) {
        HttpResponse r = assertInstanceOf(HttpResponse.class, msgs.get(index));
        assertTrue(r.decoderResult().isSuccess(), () -> r.decoderResult().toString());
        return r;
    }

    @Test
    void aFixedLengthResponseInPieces() {
        List<Object> msgs = decode(HttpMethod.GET, "HTTP/1.1 200 OK\r\nServer: up\r\nContent-Le", "ngth: 5\r\n\r\nhel", "lo");
        HttpResponse r = head(msgs, 0);
        assertSame(HttpResponseStatus.OK, r.status(), "the usual reason phrase gives Netty's constant");
        assertEquals("up", r.headers().get("server"));
        assertEquals("hello", body(msgs));
        assertInstanceOf(LastHttpContent.class, msgs.getLast());
    }

    @Test
    void theResponseDialect() {
        List<Object> msgs = decode(HttpMethod.GET,
                "HTTP/1.1 200 Fine\nServer : x\nX-Folded: a\n  b\r\n\tc\nContent-Length: 2\n\nok");
        HttpResponse r = head(msgs, 0);
        assertEquals("Fine", r.status().reasonPhrase());
        assertEquals("x", r.headers().get("Server"), "whitespace before the colon is removed");
        assertEquals("a b c", r.headers().get("x-folded"), "obs-fold becomes SP");
        assertEquals("ok", body(msgs));
    }

    @Test
    void noBodyAfterHeadOr204Or304AndTheNextResponseStillReads() {
        EmbeddedChannel ch = channel(HttpMethod.HEAD);
        ch.writeInbound(bytes("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"));
        List<Object> msgs = drain(ch);
        assertEquals(2, msgs.size());
        assertSame(LastHttpContent.EMPTY_LAST_CONTENT, msgs.get(1));
        for (String status : new String[] {"204 No Content", "304 Not Modified"}) {
            send(ch, HttpMethod.GET);
            ch.writeInbound(bytes("HTTP/1.1 " + status + "\r\nContent-Length: 5\r\n\r\n"));
            msgs = drain(ch);
            assertEquals(2, msgs.size(), status);
        }
        send(ch, HttpMethod.GET);
        ch.writeInbound(bytes("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
        assertEquals("ok", body(drain(ch)));
        ch.finishAndReleaseAll();
    }

    @Test
    void interimResponsesPrecedeTheFinalOne() {
        List<Object> msgs = decode(HttpMethod.HEAD, "HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n");
        assertEquals(103, head(msgs, 0).status().code());
        assertSame(LastHttpContent.EMPTY_LAST_CONTENT, msgs.get(1));
        assertEquals(200, head(msgs, 2).status().code());
        assertEquals(4, msgs.size(), "the final response answers the HEAD: no body");
    }

    @Test
    void chunkedWithTrailersAndTransferEncodingOverridesContentLength() {
        List<Object> msgs = decode(HttpMethod.GET, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5;x=1\r\nhello\r\n2\nxy\n0\r\nX-Sum: 7\r\nContent-Type: evil\r\n\r\n");
        HttpResponse r = head(msgs, 0);
        assertNull(r.headers().get("content-length"));
        LastHttpContent last = assertInstanceOf(LastHttpContent.class, msgs.getLast());
        assertEquals("7", last.trailingHeaders().get("x-sum"));
        assertFalse(last.trailingHeaders().contains("content-type"), "a trailer may not change the content's type");
        assertEquals("helloxy", body(msgs));
        assertEquals("close", r.headers().get("connection"), "a connection that framed a response both ways is not reused");
    }

    @Test
    void withoutLengthTheBodyEndsAtTheClose() {
        EmbeddedChannel ch = channel(HttpMethod.GET);
        ch.writeInbound(bytes("HTTP/1.0 200 OK\r\n\r\nall of "), bytes("this"));
        List<Object> msgs = drain(ch);
        assertEquals(HttpVersion.HTTP_1_0, head(msgs, 0).protocolVersion());
        assertFalse(msgs.getLast() instanceof LastHttpContent);
        ch.finish();
        msgs.addAll(drain(ch));
        assertInstanceOf(LastHttpContent.class, msgs.getLast());
        assertEquals("all of this", body(msgs));
    }

    @Test
    void aBodyCutShortByTheCloseIsNotFinished() {
        EmbeddedChannel ch = channel(HttpMethod.GET);
        ch.writeInbound(bytes("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this"));
        ch.finish();
        List<Object> msgs = drain(ch);
        assertFalse(msgs.getLast() instanceof LastHttpContent, msgs.toString());
        body(msgs);
    }

    @Test
    void unreadableHeadsAreFailedResponses() {
        String[] heads = {"HTTX/1.1 200 OK\r\n\r\n", "HTTP/2.0 200 OK\r\n\r\n", "hello there\r\n\r\n", "HTTP/1.1 2 OK\r\n\r\n",
                "HTTP/1.1 600 Beyond\r\n\r\n", "HTTP/1.1 099 Low\r\n\r\n", "HTTP/1.1 200 O\0K\r\n\r\n", "HTTP/1.1 200OK\r\n\r\n",
                "HTTP/1.1 200 OK\r\nContent-Length: 2x\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\n",
                "HTTP/1.1 200 OK\r\nX-Evil: a\rSet-Cookie: p=1\r\n\r\n", "HTTP/1.1 200 OK\r\nX-Evil: a\0b\r\n\r\n",
                "HTTP/1.1 200 OK\r\n folded: first\r\n\r\n", "HTTP/1.1 200 OK\r\nBad Name: v\r\n\r\n",
                "HTTP/1.1 200 OK\r\nNo-Colon\r\n\r\n", "HTTP/1.1 200 OK\r\n: empty\r\n\r\n",
                "HTTP/1.1 304 Not Modified\r\nContent-Length: \r\n\r\n",
                // RFC 9112 6.1: no HTTP/1.0 message has Transfer-Encoding; its framing is faulty.
                "HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
                "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n"};
        for (String h : heads) {
            EmbeddedChannel ch = channel(HttpMethod.GET);
            ch.writeInbound(bytes(h + "ok"));
            List<Object> msgs = drain(ch);
            assertEquals(1, msgs.size(), h);
            assertTrue(((HttpResponse) msgs.getFirst()).decoderResult().isFailure(), h);
            ch.writeInbound(bytes("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"));
            assertTrue(drain(ch).isEmpty(), "nothing is read after a failed head: " + h);
            ch.finishAndReleaseAll();
        }
    }

    @Test
    void aHeadOverTheLimitIsAFailedResponse() {
        EmbeddedChannel ch = channel(HttpMethod.GET);
        ch.writeInbound(bytes("HTTP/1.1 200 OK\r\nX-Big: " + "a".repeat(ResponseDecoder.MAX_HEAD_BYTES) + "\r\n"));
        List<Object> msgs = drain(ch);
        assertEquals(1, msgs.size());
        assertTrue(((HttpResponse) msgs.getFirst()).decoderResult().isFailure());
        ch.finishAndReleaseAll();
    }

    @Test
    void aBrokenChunkFailsTheConnection() {
        EmbeddedChannel ch = channel(HttpMethod.GET);
        assertThrows(DecoderException.class,
                () -> ch.writeInbound(bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nokX0\r\n\r\n")));
        List<Object> msgs = drain(ch);
        assertFalse(msgs.getLast() instanceof LastHttpContent, "the body is not ended as though it were whole");
        body(msgs);
        ch.finishAndReleaseAll();
    }

    @Test
    void afterASwitchTheBytesGoToWhatReplacesTheCodec() {
        List<Object> tunnel = new ArrayList<>();
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.pipeline().addLast("codec", new UpstreamCodec());
        ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                tunnel.add(msg);
                if (msg instanceof HttpResponse r && r.status().code() == 101) ctx.pipeline().remove("codec");
            }
        });
        send(ch, HttpMethod.GET);
        ch.writeInbound(bytes("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\nframe bytes"));
        assertEquals(101, ((HttpResponse) tunnel.getFirst()).status().code());
        // The 101's end marker may come after the buffered bytes: the tunnel passes over anything not bytes.
        ByteBuf raw = (ByteBuf) tunnel.stream().filter(m -> m instanceof ByteBuf).findFirst().orElseThrow();
        assertEquals(1, tunnel.stream().filter(m -> m instanceof ByteBuf).count());
        assertEquals("frame bytes", raw.toString(StandardCharsets.ISO_8859_1));
        raw.release();
        ch.finishAndReleaseAll();
    }
}
