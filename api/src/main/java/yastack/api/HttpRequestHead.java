package yastack.api;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The request line and headers of one HTTP request. Changes made by a filter
 * or a router are what the upstream receives.
 */
public interface HttpRequestHead {
    /** The method, e.g. {@code GET}. */
    String method();

    /** The request target as sent: path plus optional {@code ?query}. */
    String uri();

    /** Replaces the request target (path and query) sent upstream. */
    void setUri(String uri);

    /** The path part of {@link #uri()}, without the query. */
    default String path() {
        String u = uri();
        int q = u.indexOf('?');
        return q < 0 ? u : u.substring(0, q);
    }

    /** The query part of {@link #uri()} without {@code ?}, or {@code ""}. */
    default String query() {
        String u = uri();
        int q = u.indexOf('?');
        return q < 0 ? "" : u.substring(q + 1);
    }

    /**
     * The first value of query parameter {@code name}, percent-decoded (as a form: {@code +}
     * is a space), {@code ""} for a name without {@code =}, or {@code null} if absent. A
     * malformed escape is taken literally rather than failing the request.
     */
    default String queryParameter(String name) {
        String q = query();
        int start = 0;
        while (start <= q.length()) {
            int amp = q.indexOf('&', start);
            if (amp < 0) amp = q.length();
            if (amp > start) {
                int eq = q.indexOf('=', start);
                int nameEnd = eq < 0 || eq > amp ? amp : eq;
                if (decodeQueryPart(q.substring(start, nameEnd)).equals(name)) {
                    return nameEnd == amp ? "" : decodeQueryPart(q.substring(nameEnd + 1, amp));
                }
            }
            start = amp + 1;
        }
        return null;
    }

    private static String decodeQueryPart(String s) {
        if (s.indexOf('%') < 0 && s.indexOf('+') < 0) return s;
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s;
        }
    }

    /** The {@code host} header (HTTP/1.1) or {@code :authority}; {@code ""} if absent. */
    default String authority() {
        String h = headers().get("host");
        return h == null ? "" : h;
    }

    /**
     * The host a request is for, as routing matches it: the authority without its port, in
     * lower case; {@code ""} if absent.
     */
    default String host() {
        return hostOf(authority());
    }

    /** {@link #host()} of an authority: without its port (an IPv6 literal keeps its brackets), in lower case. */
    static String hostOf(String authority) {
        if (authority == null) return "";
        int end = authority.length();
        if (authority.startsWith("[")) {
            int close = authority.indexOf(']');
            if (close > 0) end = close + 1;
        } else {
            int colon = authority.lastIndexOf(':');
            if (colon >= 0) end = colon;
        }
        return authority.substring(0, end).toLowerCase(Locale.ROOT);
    }

    /** {@code HTTP/1.1}, {@code HTTP/1.0} or {@code HTTP/2}. */
    String protocol();

    /** The request headers, live. */
    HttpHeadersView headers();
}
