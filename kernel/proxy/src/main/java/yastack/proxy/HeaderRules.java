package yastack.proxy;

import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.Date;
import java.util.Iterator;
import java.util.List;
import yastack.api.HeaderEdits;

/** Hop-by-hop stripping and configured header edits (RFC 9110 7.6.1). */
final class HeaderRules {
    private static final AsciiString KEEP_ALIVE = AsciiString.cached("keep-alive");
    private static final AsciiString PROXY_CONNECTION = AsciiString.cached("proxy-connection");

    /**
     * Always hop-by-hop (RFC 9110 7.6.1), plus the framing fields the caller sets itself. Not
     * Trailer: it announces end-to-end fields (6.6.2; RFC 2616 had it hop-by-hop), and nginx,
     * HAProxy and Envoy pass it on.
     */
    private static final CharSequence[] HOP_BY_HOP_NAMES = {HttpHeaderNames.CONNECTION, KEEP_ALIVE, PROXY_CONNECTION,
            HttpHeaderNames.TE, HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderNames.UPGRADE, HttpHeaderNames.CONTENT_LENGTH};
    private static final HeaderNameSet HOP_BY_HOP = new HeaderNameSet(HOP_BY_HOP_NAMES);

    private HeaderRules() {}

    /**
     * Removes hop-by-hop fields, including those the Connection header names. Framing
     * fields are removed too: the caller sets framing explicitly for the next hop, so a
     * "Connection: content-length" trick cannot change how the body is delimited.
     */
    static void stripHopByHop(HttpHeaders h) {
        List<CharSequence> named = null;
        FlatHttpHeaders flat = h instanceof FlatHttpHeaders f ? f : null;
        if (flat != null) {
            for (int at = flat.indexOf(HttpHeaderNames.CONNECTION, 0); at >= 0; at = flat.indexOf(HttpHeaderNames.CONNECTION, at + 1)) {
                named = connectionOptions(flat.valueAt(at), named);
            }
        } else {
            for (Iterator<? extends CharSequence> it = h.valueCharSequenceIterator(HttpHeaderNames.CONNECTION); it.hasNext(); ) {
                named = connectionOptions(it.next(), named);
            }
        }
        if (named != null) {
            for (int i = 0; i < named.size(); i++) h.remove(named.get(i));
        }
        if (flat != null) {
            flat.removeEach(HOP_BY_HOP);
        } else {
            for (CharSequence name : HOP_BY_HOP_NAMES) h.remove(name);
        }
    }

    /**
     * Adds the field names a Connection value lists to {@code named} (made when first needed).
     * Most heads say "keep-alive" or "close", which are removed anyway: nothing is made for them.
     */
    private static List<CharSequence> connectionOptions(CharSequence value, List<CharSequence> named) {
        for (int i = 0; i < value.length(); ) {
            int comma = AsciiString.indexOf(value, ',', i);
            int end = comma < 0 ? value.length() : comma;
            long span = Http1Grammar.withoutOws(value, i, end);
            int a = (int) (span >>> 32);
            int b = (int) span;
            if (b > a && !is(value, a, b, HttpHeaderValues.CLOSE) && !is(value, a, b, KEEP_ALIVE)
                    && !is(value, a, b, HttpHeaderNames.HOST)) {
                if (named == null) named = new ArrayList<>(2);
                named.add(value.subSequence(a, b).toString());
            }
            i = end + 1;
        }
        return named;
    }

    /** Whether {@code value[a, b)} is {@code token}, ignoring case. */
    private static boolean is(CharSequence value, int a, int b, AsciiString token) {
        return b - a == token.length() && AsciiString.regionMatches(value, true, a, token, 0, b - a);
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

    /**
     * HttpUtil.getContentLength, without a String per call: a single plain-digits value (what
     * the decoders let through) is read in place; anything else goes to Netty's reading.
     */
    static long contentLength(HttpMessage m, long absent) {
        if (m.headers() instanceof FlatHttpHeaders flat) {
            int i = flat.indexOf(HttpHeaderNames.CONTENT_LENGTH, 0);
            if (i < 0) return absent;
            long n = Http1Grammar.digits(flat.valueAt(i));
            if (n >= 0) return n;
        }
        return HttpUtil.getContentLength(m, absent);
    }

    /**
     * What to send as Content-Length {@code length}: the field's own text when the head says
     * exactly that in one field (the usual case; asked before {@link #stripHopByHop} removes
     * the field), so the number is not printed into a new String again; else the number.
     */
    static Object contentLengthValue(HttpHeaders h, long length) {
        if (h instanceof FlatHttpHeaders flat) {
            int i = flat.indexOf(HttpHeaderNames.CONTENT_LENGTH, 0);
            if (i >= 0 && flat.indexOf(HttpHeaderNames.CONTENT_LENGTH, i + 1) < 0) {
                CharSequence v = flat.valueAt(i);
                if (Http1Grammar.digits(v) == length && (v.length() == 1 || v.charAt(0) != '0')) return v;
            }
        }
        return length;
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
