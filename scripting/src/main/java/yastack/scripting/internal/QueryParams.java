package yastack.scripting.internal;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** Parses query strings and {@code cookie} headers into first-value-wins maps. */
final class QueryParams {
    private QueryParams() {}

    static Map<String, Object> parseQuery(String query) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (query == null || query.isEmpty()) return out;
        for (String part : query.split("&")) {
            if (part.isEmpty()) continue;
            int eq = part.indexOf('=');
            String k = decode(eq < 0 ? part : part.substring(0, eq));
            String v = eq < 0 ? "" : decode(part.substring(eq + 1));
            out.putIfAbsent(k, v);
        }
        return out;
    }

    static Map<String, Object> parseCookies(Iterable<String> headers) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (String h : headers) {
            for (String part : h.split(";")) {
                String p = part.trim();
                int eq = p.indexOf('=');
                if (eq <= 0) continue;
                String v = p.substring(eq + 1).trim();
                if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) v = v.substring(1, v.length() - 1);
                out.putIfAbsent(p.substring(0, eq).trim(), v);
            }
        }
        return out;
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s;
        }
    }
}
