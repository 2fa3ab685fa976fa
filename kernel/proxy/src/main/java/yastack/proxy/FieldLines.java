package yastack.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import yastack.proxy.Http1Grammar.Malformed;

/**
 * Field lines (RFC 9112 5) read out of one copy of a head's bytes: a value stays a place in
 * that copy until someone asks for it (then an {@link AsciiString} view of it), and the names
 * most heads carry are shared constants, so a field nobody reads costs no object and the head
 * one array, where a decoder making Strings costs two objects and two arrays per field; the
 * encoder copies the bytes as they are.
 *
 * <p>Two dialects. Requests are read strictly: any deviation could be read differently by
 * the next hop (request smuggling), so it is {@link Malformed}. Responses are read as RFC
 * 9112 lets a recipient: a bare LF ends a line (2.2), whitespace between a name and its colon
 * is removed (5.1, which a proxy must do before forwarding), and an obs-fold becomes one SP
 * (5.2). Control characters other than HTAB in a value are refused in both, so no CR, LF or
 * NUL reaches the next head (response splitting).
 */
final class FieldLines {
    /** Fields whose trailer would change how a message is framed, routed or interpreted (RFC 9110 6.5.1): dropped. */
    static final Set<String> FORBIDDEN_TRAILERS = Set.of("content-length", "transfer-encoding",
            "trailer", "host", "connection", "keep-alive", "proxy-connection", "te", "upgrade", "expect",
            "content-encoding", "content-type", "content-range", "authorization", "proxy-authorization", "cookie",
            "range", "max-forwards", "cache-control", "pragma", "if-match", "if-none-match", "if-modified-since",
            "if-unmodified-since", "if-range");

    /** Names seen in most heads, as servers and clients spell them (and in lower case): matched byte for byte. */
    private static final String[] COMMON = {"Host", "User-Agent", "Accept", "Accept-Encoding", "Accept-Language",
            "Connection", "Content-Length", "Content-Type", "Content-Encoding", "Transfer-Encoding", "Date", "Server",
            "Last-Modified", "ETag", "Accept-Ranges", "Cache-Control", "Expires", "Vary", "Set-Cookie", "Cookie",
            "Location", "Keep-Alive", "Authorization", "Referer", "Origin", "Age", "Pragma", "Via", "Upgrade",
            "If-None-Match", "If-Modified-Since", "X-Forwarded-For", "X-Forwarded-Proto", "X-Request-Id",
            "X-Content-Type-Options", "Strict-Transport-Security", "Content-Security-Policy", "Access-Control-Allow-Origin",
            "Traceparent", "Alt-Svc", "Link", "Trailer", "TE"};
    /** By length: the constants of that length, each spelling followed by its lower-case twin (index | 1). */
    private static final AsciiString[][] BY_LENGTH;

    static {
        Map<Integer, List<AsciiString>> byLength = new TreeMap<>();
        for (String name : COMMON) {
            for (String spelling : new String[] {name, name.toLowerCase(Locale.ROOT)}) {
                byLength.computeIfAbsent(spelling.length(), k -> new ArrayList<>()).add(AsciiString.cached(spelling));
            }
        }
        int max = 0;
        for (int length : byLength.keySet()) max = Math.max(max, length);
        BY_LENGTH = new AsciiString[max + 1][];
        byLength.forEach((length, names) -> BY_LENGTH[length] = names.toArray(AsciiString[]::new));
    }

    private FieldLines() {}

    /**
     * Parses the field lines in {@code [from, end)} of {@code in} (each with its line end; an
     * empty line, if the range holds one, ends them) into {@code headers}, which first get room
     * for them and {@code spare} more (what the proxy adds on the way), so that neither a
     * browser's dozen fields nor our additions grow the arrays and a two-line head does not
     * carry a dozen slots. Trailer fields that may not be trailers are dropped.
     */
    static void parse(ByteBuf in, int from, int end, FlatHttpHeaders headers, boolean lenient, boolean trailers, int spare) {
        byte[] b = new byte[end - from];
        in.getBytes(from, b);
        int lines = 0;
        for (byte c : b) {
            if (c == '\n') lines++;
        }
        if (endsWithEmptyLine(b)) lines--; // it holds no field
        headers.reserve(lines + spare);
        int i = 0;
        while (i < b.length) {
            int lf = indexOfLf(b, i);
            int lineEnd = lf > i && b[lf - 1] == '\r' ? lf - 1 : lf;
            if (lineEnd == i) return; // the empty line ending the section
            if (b[i] == ' ' || b[i] == '\t') throw new Malformed("obsolete line folding");
            int nameEnd = i;
            while (nameEnd < lineEnd && Http1Grammar.isTchar((char) (b[nameEnd] & 0xff))) nameEnd++;
            int colon = nameEnd;
            if (lenient) while (colon < lineEnd && isOws(b[colon])) colon++;
            if (colon == lineEnd) throw new Malformed("field line without ':'");
            if (b[colon] != ':') throw new Malformed("invalid character in field name");
            if (nameEnd == i) throw new Malformed("empty field name");
            AsciiString name = name(b, i, nameEnd - i);
            if (!lenient && name.indexOf('_', 0) >= 0 && Http1Grammar.isFramingLookalike(name.toString())) {
                // Servers that map '-' and '_' alike (CGI-style) would frame by it; we would not.
                throw new Malformed("field name looks like a framing field: " + name);
            }
            int next = lf + 1;
            long span = value(b, colon + 1, lineEnd);
            AsciiString folded = null; // only an obs-fold makes the value an object here
            while (lenient && next < b.length && (b[next] == ' ' || b[next] == '\t')) {
                if (folded == null) folded = view(b, span);
                int foldLf = indexOfLf(b, next);
                int foldEnd = foldLf > next && b[foldLf - 1] == '\r' ? foldLf - 1 : foldLf;
                AsciiString more = view(b, value(b, next, foldEnd));
                if (!more.isEmpty()) folded = folded.isEmpty() ? more : folded.concat(" ").concat(more);
                next = foldLf + 1;
            }
            // A trailer may not carry framing, routing or authentication fields: those are dropped.
            if (!trailers || !FORBIDDEN_TRAILERS.contains(name.toString().toLowerCase(Locale.ROOT))) {
                int start = (int) (span >>> 32);
                if (folded != null) headers.addParsed(name, folded);
                else headers.addParsed(name, b, start, (int) span - start);
            }
            i = next;
        }
    }

    /** Whether {@code b} is field lines and then an empty line (CRLF or, in a response, a bare LF), or that line alone. */
    private static boolean endsWithEmptyLine(byte[] b) {
        int n = b.length;
        if (n == 0) return false;
        if (b[0] == '\r' || b[0] == '\n') return true;
        return n >= 2 && b[n - 2] == '\n' || n >= 3 && b[n - 3] == '\n' && b[n - 2] == '\r';
    }

    private static int indexOfLf(byte[] b, int from) {
        for (int i = from; i < b.length; i++) {
            if (b[i] == '\n') return i;
        }
        throw new IllegalStateException("a field line without its line end"); // the caller found the section's end
    }

    private static boolean isOws(byte c) {
        return c == ' ' || c == '\t';
    }

    /**
     * {@code name} in lower case, as HTTP/2 carries field names (RFC 9113 8.2.1): a name parsed
     * as one of the shared constants has its lower-case twin ready, so a response head from an
     * HTTP/1.1 upstream (`Server`, `Content-Type`, ...) goes to an h2 client without a new
     * string per field; other names are lowered as Netty's conversion does (the same instance
     * when already lower case).
     */
    static AsciiString lowerCase(CharSequence name) {
        int length = name.length();
        AsciiString[] candidates = length < BY_LENGTH.length ? BY_LENGTH[length] : null;
        if (candidates != null) {
            for (int i = 0; i < candidates.length; i++) {
                if (candidates[i] == name) return candidates[i | 1];
            }
        }
        return AsciiString.of(name).toLowerCase();
    }

    private static AsciiString name(byte[] b, int start, int length) {
        AsciiString[] candidates = length < BY_LENGTH.length ? BY_LENGTH[length] : null;
        if (candidates != null) {
            for (AsciiString c : candidates) {
                if (sameBytes(c, b, start)) return c;
            }
        }
        return new AsciiString(b, start, length, false);
    }

    private static boolean sameBytes(AsciiString c, byte[] b, int start) {
        byte[] a = c.array();
        int off = c.arrayOffset();
        for (int j = c.length() - 1; j >= 0; j--) {
            if (a[off + j] != b[start + j]) return false;
        }
        return true;
    }

    /**
     * Where the value in [start, end) is without surrounding whitespace, as start << 32 | end;
     * control characters but HTAB refused.
     */
    private static long value(byte[] b, int start, int end) {
        while (start < end && isOws(b[start])) start++;
        while (end > start && isOws(b[end - 1])) end--;
        for (int j = start; j < end; j++) {
            int c = b[j] & 0xff;
            if ((c < 0x20 && c != '\t') || c == 0x7f) throw new Malformed("invalid character in field value");
        }
        return (long) start << 32 | end;
    }

    private static AsciiString view(byte[] b, long span) {
        int start = (int) (span >>> 32);
        int end = (int) span;
        return start == end ? AsciiString.EMPTY_STRING : new AsciiString(b, start, end - start, false);
    }
}
