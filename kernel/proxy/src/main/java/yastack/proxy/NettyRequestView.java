package yastack.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import java.util.List;
import yastack.proxy.route.RequestView;

/** A {@link RequestView} over a decoded Netty request head. */
final class NettyRequestView implements RequestView {
    private final HttpRequest request;
    private final RequestChecks.Target target;
    private final String remote;
    private final String authority;
    private final String host;

    NettyRequestView(HttpRequest request, RequestChecks.Target target, String remote) {
        this.request = request;
        this.target = target;
        this.remote = remote;
        // An absolute-form target's authority wins over Host (RFC 9112 3.2.2).
        this.authority = target.authority() != null ? target.authority() : request.headers().get(HttpHeaderNames.HOST);
        this.host = RequestChecks.hostForMatching(authority);
    }

    String authority() {
        return authority;
    }

    @Override
    public String method() {
        return request.method().name();
    }

    @Override
    public String path() {
        return target.path();
    }

    @Override
    public String query() {
        return target.query();
    }

    @Override
    public String host() {
        return host;
    }

    @Override
    public String header(String name) {
        return request.headers().get(name);
    }

    @Override
    public List<String> headers(String name) {
        return request.headers().getAll(name);
    }

    @Override
    public String remoteAddress() {
        return remote;
    }
}
