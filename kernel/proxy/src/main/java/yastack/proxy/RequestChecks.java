package yastack.proxy;

import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.util.Iterator;
import java.util.Locale;

/**
 * Framing and target checks on a decoded request head (RFC 9110/9112). Anything that
 * could be read two ways by two parsers is rejected and the connection closed, because
 * a proxy that "repairs" ambiguous framing is how request smuggling happens.
 */
final class RequestChecks {
    private RequestChecks() {}

    /** Why a request was refused: the status to send, a short reason, and a stats tag. */
    record Rejection(HttpResponseStatus status, String reason) {}

    /** The parts of a valid request target. */
    record Target(String authority, String path, String query) {}

    static Rejection check(HttpRequest req) {
        DecoderResult result = req.decoderResult();
        if (result.isFailure()) {
            Throwable cause = result.cause();
            if (cause instanceof Http1Grammar.Malformed m) return new Rejection(m.status, m.getMessage());
            return new Rejection(HttpResponseStatus.BAD_REQUEST, "malformed request: " + cause.getMessage());
        }
        // Framing (Content-Length, Transfer-Encoding) and version syntax were checked by the decoder.
        HttpVersion v = req.protocolVersion();
        if (v.majorVersion() != 1 || v.minorVersion() > 1) {
            return new Rejection(HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED, "unsupported HTTP version");
        }
        HttpHeaders h = req.headers();
        CharSequence host = null;
        boolean several;
        if (h instanceof FlatHttpHeaders flat) {
            int i = flat.indexOf(HttpHeaderNames.HOST, 0);
            if (i >= 0) host = flat.valueAt(i);
            several = i >= 0 && flat.indexOf(HttpHeaderNames.HOST, i + 1) >= 0;
        } else {
            Iterator<? extends CharSequence> hosts = h.valueCharSequenceIterator(HttpHeaderNames.HOST);
            if (hosts.hasNext()) host = hosts.next();
            several = hosts.hasNext();
        }
        if (host != null) {
            if (several) return new Rejection(HttpResponseStatus.BAD_REQUEST, "multiple Host headers");
            if (!validAuthority(host)) return new Rejection(HttpResponseStatus.BAD_REQUEST, "invalid Host header");
        } else if (v.minorVersion() == 1) {
            return new Rejection(HttpResponseStatus.BAD_REQUEST, "missing Host header");
        }
        String expect = h.get(HttpHeaderNames.EXPECT);
        if (expect != null && !expect.equalsIgnoreCase("100-continue")) {
            return new Rejection(HttpResponseStatus.EXPECTATION_FAILED, "unsupported expectation");
        }
        if (req.method().equals(HttpMethod.CONNECT)) {
            // 501, not 405: a 405 must list the allowed methods, and no resource here has any for CONNECT.
            return new Rejection(HttpResponseStatus.NOT_IMPLEMENTED, "CONNECT is not supported");
        }
        return null;
    }

    /** Splits the request target; null when it is not origin-form, absolute-form or OPTIONS "*". */
    static Target target(HttpRequest req) {
        String uri = req.uri();
        for (int i = 0; i < uri.length(); i++) {
            char c = uri.charAt(i);
            if (c <= 0x20 || c >= 0x7f || c == '#') return null;
        }
        String authority = null;
        String rest = uri;
        if (!uri.startsWith("/")) {
            if (uri.equals("*") && req.method().equals(HttpMethod.OPTIONS)) return new Target(null, "*", "");
            int scheme = uri.indexOf("://");
            if (scheme <= 0) return null;
            String s = uri.substring(0, scheme).toLowerCase(Locale.ROOT);
            if (!s.equals("http") && !s.equals("https")) return null;
            int slash = uri.indexOf('/', scheme + 3);
            int q = uri.indexOf('?', scheme + 3);
            int end = slash >= 0 ? (q >= 0 ? Math.min(slash, q) : slash) : (q >= 0 ? q : uri.length());
            authority = uri.substring(scheme + 3, end);
            if (authority.isEmpty() || !validAuthority(authority)) return null;
            rest = end == uri.length() ? "/" : (uri.charAt(end) == '?' ? "/" + uri.substring(end) : uri.substring(end));
        }
        int q = rest.indexOf('?');
        // A raw backslash is no URI character (RFC 3986; 400, RFC 9112 3.2), and some upstreams
        // take it for a separator, so "/x/..\admin" would name a resource routing never saw;
        // the normalizer treats an escaped one (%5C) as a slash for the same reason.
        if (rest.lastIndexOf('\\', q < 0 ? rest.length() : q) >= 0) return null;
        return q < 0 ? new Target(authority, rest, "") : new Target(authority, rest.substring(0, q), rest.substring(q + 1));
    }

    /** uri-host [ ":" port ] (RFC 9110 7.2): no userinfo, a reg-name or bracketed IP literal, digits for the port. */
    private static boolean validAuthority(CharSequence a) {
        if (a.isEmpty()) return true; // RFC 9112 3.3 lets a server take an empty Host (a default authority): it matches only "*"
        int i = 0;
        if (a.charAt(0) == '[') {
            int close = AsciiString.indexOf(a, ']', 0);
            if (close < 2) return false;
            for (i = 1; i < close; i++) {
                char c = a.charAt(i);
                boolean ok = Character.digit(c, 16) >= 0 || c == ':' || c == '.' || c == 'v' || c == 'V' || isSubDelimOrUnreserved(c);
                if (!ok) return false;
            }
            i = close + 1;
        } else {
            while (i < a.length() && a.charAt(i) != ':') {
                char c = a.charAt(i);
                if (!isSubDelimOrUnreserved(c) && c != '%') return false;
                i++;
            }
        }
        if (i == a.length()) return true;
        if (a.charAt(i) != ':') return false;
        for (int j = i + 1; j < a.length(); j++) {
            if (a.charAt(j) < '0' || a.charAt(j) > '9') return false;
        }
        return true;
    }

    private static boolean isSubDelimOrUnreserved(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || "-._~!$&'()*+,;=".indexOf(c) >= 0;
    }

    /** Host without port, lower-cased, for virtual-host matching. */
    static String hostForMatching(String authority) {
        if (authority == null) return "";
        String a = authority;
        if (a.startsWith("[")) {
            int close = a.indexOf(']');
            return (close > 0 ? a.substring(0, close + 1) : a).toLowerCase(Locale.ROOT);
        }
        int colon = a.lastIndexOf(':');
        if (colon >= 0) a = a.substring(0, colon);
        return a.toLowerCase(Locale.ROOT);
    }

    /** RFC 9110 9.2.2: the methods whose repetition has the effect of one request. */
    static boolean isIdempotent(HttpMethod m) {
        return m.equals(HttpMethod.GET) || m.equals(HttpMethod.HEAD) || m.equals(HttpMethod.OPTIONS)
                || m.equals(HttpMethod.TRACE) || m.equals(HttpMethod.PUT) || m.equals(HttpMethod.DELETE);
    }
}
