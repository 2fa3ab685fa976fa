package yastack.proxy.filter;

import io.netty.handler.codec.http.HttpRequest;
import yastack.api.HttpHeadersView;
import yastack.api.HttpRequestHead;

/** {@link HttpRequestHead} over a Netty {@link HttpRequest}; writes go straight to it. */
public final class NettyRequestHead implements HttpRequestHead {
    private final HttpRequest request;
    private final NettyHeadersView headers;

    public NettyRequestHead(HttpRequest request) {
        this.request = request;
        this.headers = new NettyHeadersView(request.headers());
    }

    public HttpRequest unwrap() {
        return request;
    }

    @Override
    public String method() {
        return request.method().name();
    }

    @Override
    public String uri() {
        return request.uri();
    }

    @Override
    public void setUri(String uri) {
        request.setUri(uri);
    }

    @Override
    public String protocol() {
        return request.protocolVersion().text();
    }

    @Override
    public HttpHeadersView headers() {
        return headers;
    }
}
