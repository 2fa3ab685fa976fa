package yastack.proxy.filter;

import io.netty.handler.codec.http.HttpHeaders;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import yastack.api.HttpHeadersView;

/** {@link HttpHeadersView} over Netty's {@link HttpHeaders}, without copying. */
public final class NettyHeadersView implements HttpHeadersView {
    private final HttpHeaders headers;

    public NettyHeadersView(HttpHeaders headers) {
        this.headers = headers;
    }

    /** The Netty headers this view writes through to. */
    public HttpHeaders unwrap() {
        return headers;
    }

    @Override
    public String get(CharSequence name) {
        return headers.get(name);
    }

    @Override
    public List<String> getAll(CharSequence name) {
        return headers.getAll(name);
    }

    @Override
    public boolean contains(CharSequence name) {
        return headers.contains(name);
    }

    @Override
    public HttpHeadersView set(CharSequence name, CharSequence value) {
        headers.set(name, value);
        return this;
    }

    @Override
    public HttpHeadersView add(CharSequence name, CharSequence value) {
        headers.add(name, value);
        return this;
    }

    @Override
    public boolean remove(CharSequence name) {
        if (!headers.contains(name)) return false;
        headers.remove(name);
        return true;
    }

    @Override
    public Set<String> names() {
        // Netty's names() keeps one spelling per case-insensitive name already.
        return new LinkedHashSet<>(headers.names());
    }

    @Override
    public int size() {
        return headers.size();
    }

    @Override
    public void forEach(BiConsumer<String, String> action) {
        for (Map.Entry<String, String> e : headers) action.accept(e.getKey(), e.getValue());
    }
}
