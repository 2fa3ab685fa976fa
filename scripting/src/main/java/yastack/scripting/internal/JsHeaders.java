package yastack.scripting.internal;

import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.proxy.ProxyArray;
import org.graalvm.polyglot.proxy.ProxyObject;
import yastack.api.HttpHeadersView;

/**
 * {@code req.headers} / {@code res.headers}: a live JavaScript view of the
 * kernel's headers with case-insensitive names. Reading a missing header gives
 * {@code undefined}; assigning sets it (replacing every value); {@code delete}
 * removes it. Changes are what the peer receives.
 */
final class JsHeaders implements ProxyObject {
    private final HttpHeadersView view;
    private final boolean writable;

    JsHeaders(HttpHeadersView view, boolean writable) {
        this.view = view;
        this.writable = writable;
    }

    @Override
    public Object getMember(String key) {
        return view.get(key);
    }

    @Override
    public Object getMemberKeys() {
        return ProxyArray.fromArray(view.names().stream().map(n -> (Object) n.toLowerCase(java.util.Locale.ROOT)).distinct().toArray());
    }

    @Override
    public boolean hasMember(String key) {
        return view.contains(key);
    }

    @Override
    public void putMember(String key, Value value) {
        if (!writable) throw new UnsupportedOperationException("these headers are read-only here");
        if (value == null || value.isNull()) view.remove(key);
        else view.set(key, JsValues.text(value));
    }

    @Override
    public boolean removeMember(String key) {
        if (!writable) throw new UnsupportedOperationException("these headers are read-only here");
        return view.remove(key);
    }
}
