package yastack.proxy.trace;

import java.util.List;

/**
 * A W3C Trace Context {@code traceparent} (version-traceid-parentid-flags), read strictly:
 * exactly one header; version 00 is exactly 55 characters, a later version at least 55 with
 * a {@code -} after them; lower-case hex only; version {@code ff}, an all-zero trace id or an
 * all-zero parent id is invalid. An invalid header is as if there were none (a new trace
 * starts) and its {@code tracestate} is dropped with it, as the specification says.
 */
public record TraceParent(long traceHigh, long traceLow, long parentSpanId, boolean sampled) {
    static final int LENGTH = 55;

    /** The parsed header, or null when {@code values} is empty or not exactly one valid header. */
    public static TraceParent parse(List<String> values) {
        if (values.size() != 1) return null;
        String s = values.getFirst();
        if (s.length() < LENGTH) return null;
        int version = hexByte(s, 0);
        if (version < 0 || version == 0xff) return null;
        if (version == 0 ? s.length() != LENGTH : s.length() > LENGTH && s.charAt(LENGTH) != '-') return null;
        if (s.charAt(2) != '-' || s.charAt(35) != '-' || s.charAt(52) != '-') return null;
        int flags = hexByte(s, 53);
        if (!lowerHex(s, 3, 35) || !lowerHex(s, 36, 52) || flags < 0) return null;
        long high = Long.parseUnsignedLong(s, 3, 19, 16);
        long low = Long.parseUnsignedLong(s, 19, 35, 16);
        long parent = Long.parseUnsignedLong(s, 36, 52, 16);
        if (high == 0 && low == 0 || parent == 0) return null;
        return new TraceParent(high, low, parent, (flags & 1) != 0);
    }

    /** {@code 00-<trace id>-<span id>-<flags>}: what goes upstream, naming {@code spanId} as the parent. */
    public static String format(long traceHigh, long traceLow, long spanId, boolean sampled) {
        char[] c = new char[LENGTH];
        c[0] = '0';
        c[1] = '0';
        c[2] = '-';
        hex(c, 3, traceHigh);
        hex(c, 19, traceLow);
        c[35] = '-';
        hex(c, 36, spanId);
        c[52] = '-';
        c[53] = '0';
        c[54] = sampled ? '1' : '0';
        return new String(c);
    }

    /** 16 lower-case hex digits. */
    public static String hex(long v) {
        char[] c = new char[16];
        hex(c, 0, v);
        return new String(c);
    }

    private static final char[] DIGITS = "0123456789abcdef".toCharArray();

    private static void hex(char[] c, int at, long v) {
        for (int i = 15; i >= 0; i--) {
            c[at + i] = DIGITS[(int) (v & 0xf)];
            v >>>= 4;
        }
    }

    private static int hexDigit(char c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        return -1; // upper-case hex is invalid in traceparent
    }

    private static int hexByte(String s, int at) {
        int h = hexDigit(s.charAt(at));
        int l = hexDigit(s.charAt(at + 1));
        return h < 0 || l < 0 ? -1 : h << 4 | l;
    }

    private static boolean lowerHex(String s, int from, int to) {
        for (int i = from; i < to; i++) if (hexDigit(s.charAt(i)) < 0) return false;
        return true;
    }
}
