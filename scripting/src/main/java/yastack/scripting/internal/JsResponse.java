package yastack.scripting.internal;

import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.proxy.ProxyArray;
import org.graalvm.polyglot.proxy.ProxyExecutable;
import org.graalvm.polyglot.proxy.ProxyObject;
import yastack.api.HttpResponseHead;

/** The {@code res} an {@code onResponse} script sees: status (assignable) and live headers. */
final class JsResponse implements ProxyObject {
    private static final Object KEYS = ProxyArray.fromArray((Object[]) new String[] {
        "status", "headers", "header", "setHeader", "addHeader", "removeHeader"});

    private final HttpResponseHead head;
    private JsHeaders headers;

    JsResponse(HttpResponseHead head) {
        this.head = head;
    }

    @Override
    public Object getMember(String key) {
        return switch (key) {
            case "status" -> head.status();
            case "headers" -> headers();
            case "header" -> (ProxyExecutable) a -> head.headers().get(JsValues.text(a[0]));
            case "setHeader" -> (ProxyExecutable) a -> {
                head.headers().set(JsValues.text(a[0]), JsValues.text(a[1]));
                return null;
            };
            case "addHeader" -> (ProxyExecutable) a -> {
                head.headers().add(JsValues.text(a[0]), JsValues.text(a[1]));
                return null;
            };
            case "removeHeader" -> (ProxyExecutable) a -> head.headers().remove(JsValues.text(a[0]));
            default -> null;
        };
    }

    private JsHeaders headers() {
        if (headers == null) headers = new JsHeaders(head.headers(), true);
        return headers;
    }

    @Override
    public Object getMemberKeys() {
        return KEYS;
    }

    @Override
    public boolean hasMember(String key) {
        return getMember(key) != null;
    }

    @Override
    public void putMember(String key, Value value) {
        if (!"status".equals(key)) throw new UnsupportedOperationException("res." + key + " is read-only; only status and headers can change");
        if (!value.isNumber() || !value.fitsInInt()) throw new IllegalArgumentException("res.status must be an integer");
        int s = value.asInt();
        if (s < 100 || s > 599) throw new IllegalArgumentException("res.status " + s + " is not in 100..599");
        head.setStatus(s);
    }
}
