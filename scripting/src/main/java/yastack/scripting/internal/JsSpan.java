package yastack.scripting.internal;

import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.proxy.ProxyArray;
import org.graalvm.polyglot.proxy.ProxyExecutable;
import org.graalvm.polyglot.proxy.ProxyObject;
import yastack.api.TraceSpan;

/**
 * {@code ctx.span} in a filter: the stream's server span ({@code traceId}, {@code spanId},
 * {@code sampled}) and {@code setAttribute(key, value)} for strings, numbers and booleans.
 * On a listener without tracing the ids are empty and attributes go nowhere.
 */
final class JsSpan implements ProxyObject {
    private static final String[] KEYS = {"traceId", "spanId", "sampled", "setAttribute"};

    private final TraceSpan span;
    private final ProxyExecutable setAttribute;

    JsSpan(TraceSpan span) {
        this.span = span;
        this.setAttribute = a -> {
            if (a.length != 2 || !a[0].isString()) throw new IllegalArgumentException("span.setAttribute(key: string, value)");
            span.setAttribute(a[0].asString(), value(a[1]));
            return this;
        };
    }

    private static Object value(Value v) {
        if (v.isBoolean()) return v.asBoolean();
        if (v.isNumber()) return v.fitsInLong() ? (Object) v.asLong() : (Object) v.asDouble();
        if (v.isString()) return v.asString();
        if (v.isNull()) throw new IllegalArgumentException("span.setAttribute: the value must not be null or undefined");
        return v.toString();
    }

    @Override
    public Object getMember(String key) {
        return switch (key) {
            case "traceId" -> span.traceId();
            case "spanId" -> span.spanId();
            case "sampled" -> span.sampled();
            case "setAttribute" -> setAttribute;
            default -> null;
        };
    }

    @Override
    public Object getMemberKeys() {
        return ProxyArray.fromArray((Object[]) KEYS);
    }

    @Override
    public boolean hasMember(String key) {
        for (String k : KEYS) if (k.equals(key)) return true;
        return false;
    }

    @Override
    public void putMember(String key, Value value) {
        throw new UnsupportedOperationException("span." + key + " is read-only; use span.setAttribute(key, value)");
    }
}
