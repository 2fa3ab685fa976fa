package yastack.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;
import yastack.api.HttpHeadersView;
import yastack.api.HttpRequestHead;
import yastack.proxy.filter.NettyHeadersView;

/**
 * The request head filters, routers and balancers see: a live view of the decoded Netty
 * request (writes go straight to it) whose target is parsed once — path, query and
 * authority (an absolute-form target's authority wins over Host, RFC 9112 3.2.2) — and again
 * whenever a filter or router changes the target or the Host header.
 */
final class RequestHead implements HttpRequestHead {
    private final HttpRequest request;
    private final AuthorityMemo authorities;
    private HttpHeadersView headers;
    private RequestChecks.Target target;
    private String authority;
    private String host;

    /** @param target the request's target as parsed by {@link RequestChecks#target} */
    RequestHead(HttpRequest request, RequestChecks.Target target, AuthorityMemo authorities) {
        this.request = request;
        this.authorities = authorities;
        set(target);
    }

    private void set(RequestChecks.Target t) {
        this.target = t;
        String a = t == null ? null : t.authority() != null ? t.authority() : hostField();
        this.authority = a == null ? "" : a;
        this.host = null;
    }

    private String hostField() {
        HttpHeaders h = request.headers();
        if (!(h instanceof FlatHttpHeaders flat)) return h.get(HttpHeaderNames.HOST);
        int i = flat.indexOf(HttpHeaderNames.HOST, 0);
        return i < 0 ? null : authorities.authority(flat.valueAt(i));
    }

    /**
     * Parses the target and the authority again (a filter or router may have changed the
     * target or the Host header); false when the target is no longer a valid one.
     */
    private void refresh() {
        set(RequestChecks.target(request));
    }

    /** Whether the target (after any rewrite) is still one the proxy can send upstream. */
    boolean targetValid() {
        return target != null;
    }

    HttpRequest unwrap() {
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
        refresh();
    }

    @Override
    public String path() {
        return target == null ? HttpRequestHead.super.path() : target.path();
    }

    @Override
    public String query() {
        return target == null ? HttpRequestHead.super.query() : target.query();
    }

    /** The path and query as the upstream is asked for them (before a route's rewrite). */
    String pathAndQuery() {
        return query().isEmpty() ? path() : path() + "?" + query();
    }

    @Override
    public String authority() {
        return authority;
    }

    @Override
    public String host() {
        if (host == null) host = authorities.host(authority);
        return host;
    }

    @Override
    public String protocol() {
        return request.protocolVersion().text();
    }

    @Override
    public HttpHeadersView headers() {
        if (headers == null) headers = new Headers(new NettyHeadersView(request.headers()));
        return headers;
    }

    /** The request's headers; a change to Host changes the authority this head reports. */
    private final class Headers implements HttpHeadersView {
        private final HttpHeadersView live;

        Headers(HttpHeadersView live) {
            this.live = live;
        }

        private HttpHeadersView changed(CharSequence name) {
            if (HttpHeaderNames.HOST.contentEqualsIgnoreCase(name)) refresh();
            return this;
        }

        @Override public String get(CharSequence name) { return live.get(name); }
        @Override public List<String> getAll(CharSequence name) { return live.getAll(name); }
        @Override public HttpHeadersView set(CharSequence name, CharSequence value) { live.set(name, value); return changed(name); }
        @Override public HttpHeadersView add(CharSequence name, CharSequence value) { live.add(name, value); return changed(name); }

        @Override
        public boolean remove(CharSequence name) {
            boolean had = live.remove(name);
            changed(name);
            return had;
        }

        @Override public Set<String> names() { return live.names(); }
        @Override public int size() { return live.size(); }
        @Override public void forEach(BiConsumer<String, String> action) { live.forEach(action); }
    }
}
