package yastack.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static yastack.proxy.CodecWire.bytes;
import static yastack.proxy.CodecWire.sent;
import static yastack.proxy.CodecWire.write;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The upstream codec's request side, written as an upstream leg writes (void promises, then a flush). */
class RequestEncoderTest {
    private final EmbeddedChannel ch = new EmbeddedChannel(new UpstreamCodec());

    @AfterEach
    void close() {
        ch.finishAndReleaseAll();
    }

    private static HttpRequest head(HttpMethod method, String uri, String... fields) {
        FlatHttpHeaders h = CodecWire.fields(fields);
        return new DefaultHttpRequest(HttpVersion.HTTP_1_1, method, uri, h);
    }




    @Test
    void aRequestWithoutBodyIsOneBuffer() {
        write(ch, head(HttpMethod.GET, "/a?b=c", "host", "up", "x-request-id", "1"));
        write(ch, LastHttpContent.EMPTY_LAST_CONTENT);
        assertEquals(List.of("GET /a?b=c HTTP/1.1\r\nhost: up\r\nx-request-id: 1\r\n\r\n"), sent(ch));
    }

    @Test
    void aSmallBodyTravelsWithItsHead() {
        write(ch, head(HttpMethod.POST, "/p", "content-length", "5"));
        write(ch, new DefaultLastHttpContent(bytes("hello")));
        assertEquals(List.of("POST /p HTTP/1.1\r\ncontent-length: 5\r\n\r\nhello"), sent(ch));
    }

    @Test
    void aChunkedBodyIsFramedPieceByPiece() {
        write(ch, head(HttpMethod.PUT, "/u", "transfer-encoding", "chunked"));
        write(ch, new DefaultHttpContent(bytes("abc")));
        assertEquals(List.of("PUT /u HTTP/1.1\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n"), sent(ch));
        write(ch, new DefaultLastHttpContent(bytes("de")));
        assertEquals(List.of("2\r\nde\r\n0\r\n\r\n"), sent(ch));
    }

    @Test
    void aTargetWithoutPathGetsTheSlashItsPathMustHave() {
        write(ch, head(HttpMethod.GET, ""));
        write(ch, LastHttpContent.EMPTY_LAST_CONTENT);
        write(ch, head(HttpMethod.GET, "http://a.example?q=1"));
        write(ch, LastHttpContent.EMPTY_LAST_CONTENT);
        write(ch, head(HttpMethod.GET, "http://a.example/x?q=/"));
        write(ch, LastHttpContent.EMPTY_LAST_CONTENT);
        write(ch, head(HttpMethod.OPTIONS, "*"));
        write(ch, LastHttpContent.EMPTY_LAST_CONTENT);
        assertEquals(List.of("GET / HTTP/1.1\r\n\r\n", "GET http://a.example/?q=1 HTTP/1.1\r\n\r\n",
                "GET http://a.example/x?q=/ HTTP/1.1\r\n\r\n", "OPTIONS * HTTP/1.1\r\n\r\n"), sent(ch));
    }

    @Test
    void theResponseToAHeadRequestIsReadWithoutItsAnnouncedBody() {
        write(ch, head(HttpMethod.HEAD, "/h"));
        write(ch, LastHttpContent.EMPTY_LAST_CONTENT);
        write(ch, head(HttpMethod.GET, "/g"));
        write(ch, LastHttpContent.EMPTY_LAST_CONTENT);
        sent(ch);
        ch.writeInbound(bytes("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
        List<String> in = new ArrayList<>();
        Object o;
        while ((o = ch.readInbound()) != null) {
            if (o instanceof HttpResponse r) in.add("head " + r.status().code());
            if (o instanceof HttpContent c) in.add((o instanceof LastHttpContent ? "last " : "piece ") + c.content().toString(StandardCharsets.US_ASCII));
            ReferenceCountUtil.release(o);
        }
        assertTrue(in.equals(List.of("head 200", "last ", "head 200", "last ok")), in.toString());
    }
}
