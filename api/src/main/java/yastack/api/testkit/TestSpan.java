package yastack.api.testkit;

import java.util.LinkedHashMap;
import java.util.Map;
import yastack.api.TraceSpan;

/** A sampled span that keeps the attributes set on it, for tests of filters that add some. */
public final class TestSpan implements TraceSpan {
    private final Map<String, Object> attributes = new LinkedHashMap<>();
    private final String traceId;
    private final String spanId;

    public TestSpan(String traceId, String spanId) {
        this.traceId = traceId;
        this.spanId = spanId;
    }

    public TestSpan() {
        this("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7");
    }

    /** What was set, in order; a later value of a key replaced the earlier one. */
    public Map<String, Object> attributes() {
        return attributes;
    }

    @Override public String traceId() { return traceId; }
    @Override public String spanId() { return spanId; }
    @Override public boolean sampled() { return true; }

    @Override
    public TraceSpan setAttribute(String key, Object value) {
        attributes.put(key, value);
        return this;
    }
}
