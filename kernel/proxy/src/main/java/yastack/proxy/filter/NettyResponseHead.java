package yastack.proxy.filter;

import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import yastack.api.HttpHeadersView;
import yastack.api.HttpResponseHead;

/** {@link HttpResponseHead} over a Netty {@link HttpResponse}; writes go straight to it. */
public final class NettyResponseHead implements HttpResponseHead {
    private final HttpResponse response;
    private final NettyHeadersView headers;

    public NettyResponseHead(HttpResponse response) {
        this.response = response;
        this.headers = new NettyHeadersView(response.headers());
    }

    public HttpResponse unwrap() {
        return response;
    }

    @Override
    public int status() {
        return response.status().code();
    }

    @Override
    public void setStatus(int status) {
        response.setStatus(HttpResponseStatus.valueOf(status));
    }

    @Override
    public HttpHeadersView headers() {
        return headers;
    }
}
