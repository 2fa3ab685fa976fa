package yastack.proxy;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import yastack.proxy.route.RouteTarget;

/** Responses the proxy makes itself: errors, direct responses and redirects. */
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

    static FullHttpResponse direct(RouteTarget.Direct d, String server) {
        FullHttpResponse r = response(HttpResponseStatus.valueOf(d.status()), d.body(), d.contentType(), server);
        HeaderRules.apply(r.headers(), d.edits().responseAdd(), d.edits().responseRemove());
        return r;
    }

    /** A redirect; the Location keeps the query unless stripped, as Envoy does. */
    static FullHttpResponse redirect(RouteTarget.Redirect r, NettyRequestView view, String listenerScheme, String server) {
        String scheme = r.scheme().isEmpty() ? listenerScheme : r.scheme();
        String host = r.host().isEmpty() ? (view.authority() == null ? "" : view.authority()) : r.host();
        String path = view.path();
        if (!r.path().isEmpty()) path = r.path();
        else if (!r.prefixRewrite().isEmpty() && r.matchedPrefix() != null) {
            path = r.prefixRewrite() + path.substring(Math.min(path.length(), r.matchedPrefix().length()));
        }
        if (!r.stripQuery() && !view.query().isEmpty() && !path.contains("?")) path = path + "?" + view.query();
        FullHttpResponse resp = response(HttpResponseStatus.valueOf(r.code()), "", "text/plain", server);
        resp.headers().set(HttpHeaderNames.LOCATION, scheme + "://" + host + path);
        HeaderRules.apply(resp.headers(), r.edits().responseAdd(), r.edits().responseRemove());
        return resp;
    }
}
