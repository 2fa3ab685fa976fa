package yastack.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.handler.codec.http.FullHttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;
import yastack.api.LocalReply;

class LocalRepliesTest {
    @Test
    void aReplysOwnContentTypeReplacesTheDefaultAndFramingHeadersAreOurs() {
        LocalReply reply = LocalReply.of(200, "hi\n").withHeader("Content-Type", "application/json")
                .withHeader("content-length", "999").withHeader("transfer-encoding", "chunked")
                .withHeader("set-cookie", "a=1").withHeader("set-cookie", "b=2");
        FullHttpResponse r = LocalReplies.of(reply, "yastack");
        try {
            assertEquals(List.of("application/json"), r.headers().getAll("content-type"));
            assertEquals(List.of("3"), r.headers().getAll("content-length"));
            assertEquals(List.of(), r.headers().getAll("transfer-encoding"));
            assertEquals(List.of("a=1", "b=2"), r.headers().getAll("set-cookie"));
            assertEquals(List.of("yastack"), r.headers().getAll("server"));
        } finally {
            r.release();
        }
    }
}
