package yastack.proxy.trace;

import io.netty.handler.codec.http.HttpHeaders;

/**
 * Zipkin's B3 propagation, for callers in meshes that speak it rather than W3C Trace Context:
 * the single {@code b3: {trace id}-{span id}[-{sampled}[-{parent id}]]} header or the
 * {@code x-b3-*} headers. Read when a request has no valid {@code traceparent}; written back
 * upstream, in the form the request used, naming the same trace and try as the
 * {@code traceparent} does. Read strictly like {@code traceparent}: lower-case hex, a 16- or
 * 32-digit trace id, a 16-digit span id, neither all zero; anything else is no context.
 *
 * @param sampled the caller's decision, or null when it deferred it (the ratio decides)
 */
public record B3(long traceHigh, long traceLow, long spanId, Boolean sampled) {
    /** How a request carried B3, so the upstream request carries it the same way. */
    public enum Form { NONE, SINGLE, MULTI }

    static final String SINGLE = "b3";
    static final String TRACE_ID = "x-b3-traceid";
    static final String SPAN_ID = "x-b3-spanid";
    static final String PARENT_SPAN_ID = "x-b3-parentspanid";
    static final String SAMPLED = "x-b3-sampled";
    static final String FLAGS = "x-b3-flags";

    /** The form the request's B3 headers are in, whether or not they are valid. */
    public static Form form(HttpHeaders request) {
        if (request.contains(SINGLE)) return Form.SINGLE;
        return request.contains(TRACE_ID) ? Form.MULTI : Form.NONE;
    }

    /** The request's B3 context, or null when it has none or it is malformed. */
    public static B3 parse(HttpHeaders request) {
        return switch (form(request)) {
            case NONE -> null;
            case SINGLE -> request.getAll(SINGLE).size() == 1 ? single(request.get(SINGLE)) : null;
            case MULTI -> multi(request.get(TRACE_ID), request.get(SPAN_ID), request.get(SAMPLED), request.get(FLAGS));
        };
    }

    private static B3 single(String v) {
        String[] f = v.split("-", -1);
        if (f.length < 2 || f.length > 4) return null; // a bare sampling flag carries no ids to continue
        Boolean sampled = null;
        if (f.length >= 3) {
            sampled = switch (f[2]) {
                case "1", "d" -> Boolean.TRUE;
                case "0" -> Boolean.FALSE;
                default -> null;
            };
            if (sampled == null) return null;
        }
        if (f.length == 4 && !validParent(f[3])) return null;
        return ids(f[0], f[1], sampled);
    }

    private static B3 multi(String traceId, String spanId, String sampledHeader, String flags) {
        if (traceId == null || spanId == null) return null;
        Boolean sampled = null;
        if ("1".equals(flags)) sampled = Boolean.TRUE; // debug
        else if (sampledHeader != null) {
            sampled = switch (sampledHeader) {
                case "1", "true" -> Boolean.TRUE;
                case "0", "false" -> Boolean.FALSE;
                default -> null;
            };
            if (sampled == null) return null;
        }
        return ids(traceId, spanId, sampled);
    }

    private static B3 ids(String traceId, String spanId, Boolean sampled) {
        if (traceId.length() != 16 && traceId.length() != 32 || !lowerHex(traceId) || spanId.length() != 16 || !lowerHex(spanId)) {
            return null;
        }
        long high = traceId.length() == 32 ? Long.parseUnsignedLong(traceId, 0, 16, 16) : 0;
        long low = Long.parseUnsignedLong(traceId, traceId.length() - 16, traceId.length(), 16);
        long span = Long.parseUnsignedLong(spanId, 16);
        if (high == 0 && low == 0 || span == 0) return null;
        return new B3(high, low, span, sampled);
    }

    private static boolean validParent(String s) {
        return s.length() == 16 && lowerHex(s) && Long.parseUnsignedLong(s, 16) != 0;
    }

    private static boolean lowerHex(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) return false;
        }
        return true;
    }

    /** Writes {@code spanId} (a try) as the B3 span, {@code parentId} (0: none) as its parent, in {@code form}. */
    static void inject(HttpHeaders upstream, Form form, long traceHigh, long traceLow, long spanId, long parentId, boolean sampled) {
        String trace = traceHigh == 0 ? TraceParent.hex(traceLow) : TraceParent.hex(traceHigh) + TraceParent.hex(traceLow);
        switch (form) {
            case NONE -> { }
            case SINGLE -> upstream.set(SINGLE, trace + "-" + TraceParent.hex(spanId) + (sampled ? "-1" : "-0")
                    + (parentId == 0 ? "" : "-" + TraceParent.hex(parentId)));
            case MULTI -> {
                upstream.set(TRACE_ID, trace);
                upstream.set(SPAN_ID, TraceParent.hex(spanId));
                if (parentId == 0) upstream.remove(PARENT_SPAN_ID);
                else upstream.set(PARENT_SPAN_ID, TraceParent.hex(parentId));
                upstream.set(SAMPLED, sampled ? "1" : "0");
                upstream.remove(FLAGS);
            }
        }
    }
}
