package yastack.proxy;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import yastack.api.LocalReply;

/** Responses the proxy makes itself: errors, and the replies of routes and filters. */
final class LocalReplies {
    private LocalReplies() {}

    /** Marks a 503 the proxy sends to protect itself or an upstream (Envoy's x-envoy-overloaded). */
    static final String OVERLOADED = "x-yastack-overloaded";

    static FullHttpResponse overloaded(FullHttpResponse r) {
        r.headers().set(OVERLOADED, "true");
        return r;
    }

    static FullHttpResponse response(HttpResponseStatus s, String body, String contentType, String server) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, s, Unpooled.wrappedBuffer(bytes));
        r.headers().set(HttpHeaderNames.DATE, HeaderRules.httpDate());
        r.headers().set(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
        if (bytes.length > 0) r.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        r.headers().set(HttpHeaderNames.SERVER, server);
        return r;
    }

    /**
     * A reply a route (direct response, redirect) or a filter asked for. Its own headers come
     * last: a content type, server or date it names replaces ours rather than doubling it, and
     * framing headers are ignored because the body we send decides them.
     */
    static FullHttpResponse of(LocalReply reply, String server) {
        FullHttpResponse r = response(HttpResponseStatus.valueOf(reply.status()), reply.body(), reply.contentType(), server);
        for (String[] h : reply.headers()) {
            String name = h[0].toLowerCase(Locale.ROOT);
            switch (name) {
                case "content-length", "transfer-encoding", "connection" -> { }
                case "content-type", "server", "date" -> r.headers().set(name, h[1]);
                default -> r.headers().add(h[0], h[1]);
            }
        }
        return r;
    }
}
