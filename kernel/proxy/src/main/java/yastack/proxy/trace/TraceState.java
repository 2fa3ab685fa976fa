package yastack.proxy.trace;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * W3C {@code tracestate}: vendor entries carried along a trace. Several header lines are one
 * list (joined with commas); a list that breaks the grammar (more than 32 members, a bad key
 * or value, a key twice) is dropped whole, as the specification asks, and the trace goes on
 * without it.
 */
public final class TraceState {
    static final int MAX_MEMBERS = 32;

    private TraceState() {}

    /** The header lines as one valid list, {@code ""} when absent, or null when invalid. */
    public static String combine(List<String> values) {
        if (values.isEmpty()) return "";
        String joined = values.size() == 1 ? values.getFirst() : String.join(",", values);
        Set<String> keys = new HashSet<>();
        int members = 0;
        for (String raw : joined.split(",", -1)) {
            String m = raw.strip();
            if (m.isEmpty()) continue;
            int eq = m.indexOf('=');
            if (eq <= 0 || !validKey(m.substring(0, eq)) || !validValue(m.substring(eq + 1))) return null;
            if (!keys.add(m.substring(0, eq)) || ++members > MAX_MEMBERS) return null;
        }
        return members == 0 ? "" : joined;
    }

    private static boolean validKey(String k) {
        int at = k.indexOf('@');
        if (at < 0) return k.length() <= 256 && lcalpha(k.charAt(0)) && keyChars(k, 1, k.length());
        String tenant = k.substring(0, at);
        String system = k.substring(at + 1);
        return !tenant.isEmpty() && tenant.length() <= 241 && (lcalpha(tenant.charAt(0)) || digit(tenant.charAt(0)))
                && keyChars(tenant, 1, tenant.length())
                && !system.isEmpty() && system.length() <= 14 && lcalpha(system.charAt(0)) && keyChars(system, 1, system.length());
    }

    private static boolean keyChars(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (!(lcalpha(c) || digit(c) || c == '_' || c == '-' || c == '*' || c == '/')) return false;
        }
        return true;
    }

    /** 1..256 printable ASCII characters but comma and equals, not ending in a space. */
    private static boolean validValue(String v) {
        if (v.isEmpty() || v.length() > 256 || v.charAt(v.length() - 1) == ' ') return false;
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c < 0x20 || c > 0x7e || c == ',' || c == '=') return false;
        }
        return true;
    }

    private static boolean lcalpha(char c) {
        return c >= 'a' && c <= 'z';
    }

    private static boolean digit(char c) {
        return c >= '0' && c <= '9';
    }
}
