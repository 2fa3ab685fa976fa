package yastack.proxy;

import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.util.AsciiString;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import yastack.api.HeaderEdits;

/** Hop-by-hop stripping and configured header edits (RFC 9110 7.6.1). */
final class HeaderRules {
    private static final AsciiString KEEP_ALIVE = AsciiString.cached("keep-alive");
    private static final AsciiString PROXY_CONNECTION = AsciiString.cached("proxy-connection");

    private HeaderRules() {}

    /**
     * Removes hop-by-hop fields, including those the Connection header names. Framing
     * fields are removed too: the caller sets framing explicitly for the next hop, so a
     * "Connection: content-length" trick cannot change how the body is delimited.
     */
    static void stripHopByHop(HttpHeaders h) {
        List<String> connection = values(h, HttpHeaderNames.CONNECTION);
        for (String value : connection) {
            for (String token : value.split(",")) {
                String name = token.trim().toLowerCase(Locale.ROOT);
                if (!name.isEmpty() && !name.equals("host")) h.remove(name);
            }
        }
        h.remove(HttpHeaderNames.CONNECTION);
        h.remove(KEEP_ALIVE);
        h.remove(PROXY_CONNECTION);
        h.remove(HttpHeaderNames.TE);
        h.remove(HttpHeaderNames.TRAILER);
        h.remove(HttpHeaderNames.TRANSFER_ENCODING);
        h.remove(HttpHeaderNames.UPGRADE);
        h.remove(HttpHeaderNames.CONTENT_LENGTH);
    }

    /**
     * The values of {@code name}. Most fields asked for on the request path are absent, and
     * then this allocates nothing (Netty's getAll builds a list either way).
     */
    static List<String> values(HttpHeaders h, CharSequence name) {
        return h.contains(name) ? h.getAll(name) : List.of();
    }

    /** Whether the message is chunked, without allocating when it has no Transfer-Encoding. */
    static boolean chunked(HttpMessage m) {
        return m.headers().contains(HttpHeaderNames.TRANSFER_ENCODING) && HttpUtil.isTransferEncodingChunked(m);
    }

    /** HttpUtil.isKeepAlive, without allocating when the message has no Connection field. */
    static boolean keepAlive(HttpMessage m) {
        return m.headers().contains(HttpHeaderNames.CONNECTION) ? HttpUtil.isKeepAlive(m) : m.protocolVersion().isKeepAliveDefault();
    }

    private record CachedDate(long second, String text) {}

    private static volatile CachedDate date = new CachedDate(-1, "");

    /** The current time as an IMF-fixdate (RFC 9110 5.6.7), formatted at most once a second. */
    static String httpDate() {
        long now = System.currentTimeMillis();
        CachedDate d = date;
        if (d.second() != now / 1000) {
            d = new CachedDate(now / 1000, DateFormatter.format(new Date(now)));
            date = d;
        }
        return d.text();
    }

    /** True without Transfer-Encoding, or when it lists exactly one coding, "chunked". */
    static boolean onlyChunkedOrNoTransferCoding(HttpHeaders h) {
        List<String> te = values(h, HttpHeaderNames.TRANSFER_ENCODING);
        if (te.isEmpty()) return true;
        return te.size() == 1 && te.getFirst().trim().equalsIgnoreCase("chunked");
    }

    /** reason-phrase = *( HTAB / SP / VCHAR / obs-text ) (RFC 9112 4): no NUL or other control goes down. */
    static boolean validReasonPhrase(String reason) {
        for (int i = 0; i < reason.length(); i++) {
            char c = reason.charAt(i);
            if ((c < 0x20 && c != '\t') || c == 0x7f || c > 0xff) return false;
        }
        return true;
    }

    /** A route's edits of one direction: removals, then additions (replacing unless they append). */
    static void apply(HttpHeaders h, List<HeaderEdits.Header> add, List<String> remove) {
        // Indexed loops: most routes edit nothing, and an iterator per empty list per request adds up.
        for (int i = 0; i < remove.size(); i++) h.remove(remove.get(i));
        for (int i = 0; i < add.size(); i++) {
            HeaderEdits.Header v = add.get(i);
            if (v.append()) h.add(v.name(), v.value());
            else h.set(v.name(), v.value());
        }
    }
}
