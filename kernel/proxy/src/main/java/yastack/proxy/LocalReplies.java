package yastack.proxy;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import yastack.api.LocalReply;

/** Responses the proxy makes itself: errors, and the replies of routes and filters. */
final class LocalReplies {
    private LocalReplies() {}

    static FullHttpResponse response(HttpResponseStatus s, String body, String contentType, String server) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, s, Unpooled.wrappedBuffer(bytes));
        r.headers().set(HttpHeaderNames.DATE, HeaderRules.httpDate());
        r.headers().set(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
        if (bytes.length > 0) r.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        r.headers().set(HttpHeaderNames.SERVER, server);
        return r;
    }

    /** A reply a route (direct response, redirect) or a filter asked for; its own headers come last. */
    static FullHttpResponse of(LocalReply reply, String server) {
        FullHttpResponse r = response(HttpResponseStatus.valueOf(reply.status()), reply.body(), reply.contentType(), server);
        for (String[] h : reply.headers()) r.headers().add(h[0], h[1]);
        return r;
    }
}
