package yastack.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static yastack.proxy.CodecWire.bytes;
import static yastack.proxy.CodecWire.sent;
import static yastack.proxy.CodecWire.write;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The downstream codec's response side, driven as the exchange drives it: requests decoded
 * first (their methods decide which responses have a body), responses written with the
 * connection's void promise, flushed, and the buffers that reach the socket read back.
 */
class ResponseEncoderTest {
    private final EmbeddedChannel ch = new EmbeddedChannel(new DownstreamCodec(8192, 0));

    @AfterEach
    void close() {
        ch.finishAndReleaseAll();
    }

    private void request(String method) {
        ch.writeInbound(Unpooled.copiedBuffer(method + " / HTTP/1.1\r\nHost: a\r\n\r\n", StandardCharsets.US_ASCII));
        Object o;
        while ((o = ch.readInbound()) != null) {
            assertTrue(!(o instanceof HttpRequest r) || r.decoderResult().isSuccess());
            ReferenceCountUtil.release(o);
        }
    }



    private static HttpResponse head(HttpResponseStatus status, String... fields) {
        FlatHttpHeaders h = CodecWire.fields(fields);
        return new DefaultHttpResponse(HttpVersion.HTTP_1_1, status, h);
    }


    @Test
    void aSmallBodyLeavesInTheBufferOfItsHead() {
        request("GET");
        write(ch, head(HttpResponseStatus.OK, "content-length", "5", "server", "up"));
        write(ch, new DefaultLastHttpContent(bytes("hello")));
        assertEquals(List.of("HTTP/1.1 200 OK\r\ncontent-length: 5\r\nserver: up\r\n\r\nhello"), sent(ch));
    }

    @Test
    void aLargeBodyFollowsItsHeadAsItIs() {
        request("GET");
        String body = "x".repeat(Http1Encoder.COPY_LIMIT + 1);
        write(ch, head(HttpResponseStatus.OK, "content-length", Integer.toString(body.length())));
        write(ch, new DefaultLastHttpContent(bytes(body)));
        assertEquals(List.of("HTTP/1.1 200 OK\r\ncontent-length: " + body.length() + "\r\n\r\n", body), sent(ch));
    }

    @Test
    void aFlushBeforeTheBodySendsTheHeadAlone() {
        request("GET");
        write(ch, head(HttpResponseStatus.OK, "content-length", "2"));
        assertEquals(List.of("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n"), sent(ch));
        write(ch, new DefaultLastHttpContent(bytes("ok")));
        assertEquals(List.of("ok"), sent(ch));
    }

    @Test
    void theResponseToHeadHasNoBodyWhateverComes() {
        request("HEAD");
        request("GET");
        write(ch, head(HttpResponseStatus.OK, "content-length", "5"));
        write(ch, new DefaultLastHttpContent(bytes("hello")));
        write(ch, head(HttpResponseStatus.OK, "content-length", "3"));
        write(ch, new DefaultLastHttpContent(bytes("abc")));
        assertEquals(List.of("HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\n", "HTTP/1.1 200 OK\r\ncontent-length: 3\r\n\r\nabc"), sent(ch));
    }

    @Test
    void chunkedPiecesAreFramedAndTheLastCarriesTheTrailers() {
        request("GET");
        write(ch, head(HttpResponseStatus.OK, "transfer-encoding", "chunked"));
        write(ch, new DefaultHttpContent(bytes("hello")));
        write(ch, new DefaultHttpContent(Unpooled.EMPTY_BUFFER)); // an empty piece must not end the body early
        LastHttpContent last = new DefaultLastHttpContent(bytes("!"));
        last.trailingHeaders().add("checksum", "x1");
        write(ch, last);
        assertEquals(List.of("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n",
                "1\r\n!\r\n0\r\nchecksum: x1\r\n\r\n"), sent(ch));
    }

    @Test
    void aLargeChunkIsFramedAroundTheBufferItCameIn() {
        request("GET");
        String body = "y".repeat(Http1Encoder.COPY_LIMIT + 10);
        write(ch, head(HttpResponseStatus.OK, "transfer-encoding", "chunked"));
        write(ch, new DefaultHttpContent(bytes(body)));
        write(ch, LastHttpContent.EMPTY_LAST_CONTENT);
        String hex = Integer.toHexString(body.length());
        assertEquals(List.of("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n" + hex + "\r\n", body, "\r\n", "0\r\n\r\n"), sent(ch));
    }

    @Test
    void noContentAndResetContentFramingFollowTheirStatus() {
        request("GET");
        request("GET");
        write(ch, head(HttpResponseStatus.NO_CONTENT, "content-length", "4", "a", "b"));
        write(ch, new DefaultLastHttpContent(bytes("junk")));
        write(ch, head(HttpResponseStatus.RESET_CONTENT, "transfer-encoding", "chunked"));
        write(ch, LastHttpContent.EMPTY_LAST_CONTENT);
        assertEquals(List.of("HTTP/1.1 204 No Content\r\na: b\r\n\r\n", "HTTP/1.1 205 Reset Content\r\ncontent-length: 0\r\n\r\n"), sent(ch));
    }

    @Test
    void anInterimResponseComesBeforeTheFinalOneOfTheSameRequest() {
        request("HEAD");
        request("GET");
        write(ch, new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(103), Unpooled.EMPTY_BUFFER));
        write(ch, head(HttpResponseStatus.OK, "content-length", "1"));
        write(ch, new DefaultLastHttpContent(bytes("z"))); // the HEAD's: dropped
        write(ch, head(HttpResponseStatus.valueOf(299, "Odd"), "content-length", "1"));
        write(ch, new DefaultLastHttpContent(bytes("z")));
        assertEquals(List.of("HTTP/1.1 103 Early Hints\r\n\r\n", "HTTP/1.1 200 OK\r\ncontent-length: 1\r\n\r\n",
                "HTTP/1.1 299 Odd\r\ncontent-length: 1\r\n\r\nz"), sent(ch));
    }

    @Test
    void aFullResponseIsOneBufferAndItsPromiseCompletes() {
        request("GET");
        DefaultFullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NOT_FOUND, bytes("nope"));
        r.headers().set(HttpHeaderNames.CONTENT_LENGTH, 4);
        ChannelFuture f = ch.writeAndFlush(r);
        assertTrue(f.isSuccess());
        assertEquals(List.of("HTTP/1.1 404 Not Found\r\ncontent-length: 4\r\n\r\nnope"), sent(ch));
    }

    @Test
    void contentWithoutAHeadFailsTheWriteAndLeaksNothing() {
        ByteBuf body = bytes("stray");
        ChannelFuture f = ch.writeAndFlush(new DefaultLastHttpContent(body));
        assertFalse(f.isSuccess());
        assertEquals(0, body.refCnt());
        assertNull(ch.readOutbound());
    }

    @Test
    void closingWithAHeadStillWaitingReleasesIt() {
        List<ByteBuf> allocated = new ArrayList<>();
        ch.config().setAllocator(new AbstractByteBufAllocator(false) {
            @Override
            public boolean isDirectBufferPooled() {
                return false;
            }

            @Override
            protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
                ByteBuf b = Unpooled.buffer(initialCapacity, maxCapacity);
                allocated.add(b);
                return b;
            }

            @Override
            protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
                return newHeapBuffer(initialCapacity, maxCapacity);
            }
        });
        request("GET");
        write(ch, head(HttpResponseStatus.OK, "content-length", "9"));
        assertEquals(1, allocated.size());
        assertEquals(1, allocated.getFirst().refCnt(), "the head waits for its body");
        ch.close();
        assertEquals(0, allocated.getFirst().refCnt());
        assertNull(ch.readOutbound(), "nothing reaches the socket after a close");
    }
}
