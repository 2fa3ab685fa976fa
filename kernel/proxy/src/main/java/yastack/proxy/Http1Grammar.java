package yastack.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * The HTTP/1.1 message grammar as {@link RequestDecoder} enforces it (RFC 9112 and the
 * character classes of RFC 9110 5.6): line ends, the request line, transfer codings,
 * Content-Length and chunk extensions ({@link FieldLines} reads field lines). Anything
 * outside it is {@link Malformed}.
 */
final class Http1Grammar {
    /** Why a message is refused; {@link RequestChecks} answers a request with {@link #status}. */
    static final class Malformed extends IllegalArgumentException {
        final HttpResponseStatus status;

        Malformed(HttpResponseStatus status, String message) {
            super(message);
            this.status = status;
        }

        Malformed(String message) {
            this(HttpResponseStatus.BAD_REQUEST, message);
        }
    }

    private Http1Grammar() {}

    /**
     * Index of the CR of the first CRLF at or after {@code from} within {@code limit}
     * bytes, or -1. A CR or LF not part of a CRLF is malformed.
     */
    static int findLineEnd(ByteBuf in, int from, int limit) {
        int end = (int) Math.min(in.writerIndex(), (long) from + limit);
        for (int i = from; i < end; i++) {
            byte b = in.getByte(i);
            if (b == '\n') throw new Malformed("bare LF");
            if (b == '\r') {
                if (i + 1 >= in.writerIndex()) return -1;
                if (in.getByte(i + 1) != '\n') throw new Malformed("bare CR");
                return i;
            }
        }
        return -1;
    }

    /** Index just after the CRLFCRLF ending the head, given the request line's CR; -1 when not yet received. */
    static int findHeadEnd(ByteBuf in, int lineEnd) {
        int i = lineEnd;
        while (true) {
            // i is the CR of a line end; an empty line follows when the next two bytes are CRLF.
            if (i + 3 >= in.writerIndex()) return -1;
            if (in.getByte(i + 2) == '\r') {
                if (in.getByte(i + 3) != '\n') throw new Malformed("bare CR");
                return i + 4;
            }
            int next = findLineEnd(in, i + 2, Integer.MAX_VALUE);
            if (next < 0) return -1;
            i = next;
        }
    }

    static HttpRequest parseRequestLine(ByteBuf in, int start, int end, FlatHttpHeaders headers) {
        // Read in place: only the target becomes a String; the method and version are constants.
        int sp1 = in.indexOf(start, end, (byte) ' ');
        int sp2 = sp1 < 0 ? -1 : in.indexOf(sp1 + 1, end, (byte) ' ');
        if (sp1 <= start || sp2 < 0 || in.indexOf(sp2 + 1, end, (byte) ' ') >= 0 || sp2 == sp1 + 1) {
            throw new Malformed("malformed request line");
        }
        for (int i = start; i < sp1; i++) {
            if (!isTchar((char) (in.getByte(i) & 0xff))) throw new Malformed("invalid method");
        }
        for (int i = sp1 + 1; i < sp2; i++) {
            int c = in.getByte(i) & 0xff;
            if (c <= 0x20 || c >= 0x7f) throw new Malformed("invalid character in request target");
        }
        HttpVersion version = parseVersion(in, sp2 + 1, end);
        String target = in.toString(sp1 + 1, sp2 - sp1 - 1, StandardCharsets.ISO_8859_1);
        return new DefaultHttpRequest(version, method(in, start, sp1), target, headers);
    }

    /** The methods RFC 9110 9.3 and RFC 5789 define, as Netty's constants: what a parsed method name is matched against. */
    static final HttpMethod[] KNOWN_METHODS = {HttpMethod.GET, HttpMethod.POST, HttpMethod.HEAD, HttpMethod.PUT,
            HttpMethod.DELETE, HttpMethod.OPTIONS, HttpMethod.PATCH, HttpMethod.TRACE, HttpMethod.CONNECT};

    /** The method in [start, end): Netty's constant for the standard ones (case-sensitive, RFC 9110 9.1). */
    private static HttpMethod method(ByteBuf in, int start, int end) {
        for (HttpMethod m : KNOWN_METHODS) {
            if (sameBytes(in, start, end, m.asciiName())) return m;
        }
        return HttpMethod.valueOf(in.toString(start, end - start, StandardCharsets.ISO_8859_1));
    }

    private static boolean sameBytes(ByteBuf in, int start, int end, AsciiString s) {
        if (end - start != s.length()) return false;
        for (int i = 0; i < s.length(); i++) {
            if (in.getByte(start + i) != s.byteAt(i)) return false;
        }
        return true;
    }

    /** "HTTP/" DIGIT "." DIGIT in [start, end), case-sensitive (RFC 9112 2.3). Higher 1.x minors are read as 1.1 (RFC 9110 2.5). */
    static HttpVersion parseVersion(ByteBuf in, int start, int end) {
        if (end - start != 8 || !sameBytes(in, start, start + 5, HTTP_SLASH) || !isDigit((char) in.getByte(start + 5))
                || in.getByte(start + 6) != '.' || !isDigit((char) in.getByte(start + 7))) {
            throw new Malformed("malformed HTTP version");
        }
        int major = in.getByte(start + 5) - '0';
        int minor = in.getByte(start + 7) - '0';
        if (major != 1) throw new Malformed(HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED, "unsupported HTTP version");
        return minor == 0 ? HttpVersion.HTTP_1_0 : HttpVersion.HTTP_1_1;
    }

    private static final AsciiString HTTP_SLASH = AsciiString.cached("HTTP/");

    static boolean isFramingLookalike(String name) {
        String n = name.replace('_', '-');
        return n.equalsIgnoreCase("content-length") || n.equalsIgnoreCase("transfer-encoding");
    }

    /** Only "chunked", once and last; an unknown coding before it is 501, as RFC 9112 6.1 asks. */
    static void checkTransferCodings(List<String> values) {
        int chunked = 0;
        boolean chunkedLast = false;
        boolean other = false;
        for (String value : values) {
            for (String coding : value.split(",", -1)) {
                String c = trimOws(coding).toLowerCase(Locale.ROOT);
                if (c.isEmpty()) throw new Malformed("empty transfer coding");
                chunkedLast = c.equals("chunked");
                if (chunkedLast) chunked++;
                else other = true;
            }
        }
        if (chunked != 1 || !chunkedLast) throw new Malformed("chunked must be the final transfer coding, once");
        if (other) throw new Malformed(HttpResponseStatus.NOT_IMPLEMENTED, "unsupported transfer coding");
    }

    static long parseContentLength(CharSequence value) {
        long n = digits(value);
        if (n < 0) throw new Malformed("invalid Content-Length");
        return n;
    }

    /** The value as a decimal number of 1 to 18 digits (no sign, no whitespace), or -1. */
    static long digits(CharSequence value) {
        if (value.isEmpty() || value.length() > 18) return -1;
        long n = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (!isDigit(c)) return -1;
            n = n * 10 + (c - '0');
        }
        return n;
    }

    static void checkChunkExtensions(String line, int i) {
        int n = line.length();
        while (i < n) {
            while (i < n && isOws((byte) line.charAt(i))) i++;
            if (i == n || line.charAt(i) != ';') throw new Malformed("invalid chunk extension");
            i++;
            while (i < n && isOws((byte) line.charAt(i))) i++;
            int nameStart = i;
            while (i < n && isTchar(line.charAt(i))) i++;
            if (i == nameStart) throw new Malformed("invalid chunk extension name");
            int save = i;
            while (i < n && isOws((byte) line.charAt(i))) i++;
            if (i < n && line.charAt(i) == '=') {
                i++;
                while (i < n && isOws((byte) line.charAt(i))) i++;
                if (i < n && line.charAt(i) == '"') {
                    i++;
                    while (true) {
                        if (i >= n) throw new Malformed("unterminated quoted chunk extension");
                        char c = line.charAt(i);
                        if (c == '"') {
                            i++;
                            break;
                        }
                        if (c == '\\') {
                            i++;
                            if (i >= n || !isQuotedPairChar(line.charAt(i))) throw new Malformed("invalid quoted-pair");
                        } else if (!isQdtext(c)) {
                            throw new Malformed("invalid character in quoted chunk extension");
                        }
                        i++;
                    }
                } else {
                    int valueStart = i;
                    while (i < n && isTchar(line.charAt(i))) i++;
                    if (i == valueStart) throw new Malformed("invalid chunk extension value");
                }
            } else {
                i = save;
            }
        }
    }

    // ---- character classes (RFC 9110 5.6.2, 5.6.4) ----

    private static final boolean[] TCHAR = new boolean[128];

    static {
        for (char c = 0; c < 128; c++) {
            TCHAR[c] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
        }
    }

    /** tchar (RFC 9110 5.6.2), from a table: every field name byte of every head is asked. */
    static boolean isTchar(char c) {
        return c < 128 && TCHAR[c];
    }

    static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /** {@code value[a, b)} without the OWS at either end, as {@code start << 32 | end}. */
    static long withoutOws(CharSequence value, int a, int b) {
        while (a < b && isOws((byte) value.charAt(a))) a++;
        while (b > a && isOws((byte) value.charAt(b - 1))) b--;
        return (long) a << 32 | b;
    }

    static boolean isOws(byte b) {
        return b == ' ' || b == '\t';
    }

    static boolean isQdtext(char c) {
        return c == '\t' || c == ' ' || c == 0x21 || (c >= 0x23 && c <= 0x5b) || (c >= 0x5d && c <= 0x7e) || (c >= 0x80 && c <= 0xff);
    }

    static boolean isQuotedPairChar(char c) {
        return c == '\t' || c == ' ' || (c >= 0x21 && c <= 0x7e) || (c >= 0x80 && c <= 0xff);
    }

    static int hexValue(char c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    }

    static String trimOws(String s) {
        int a = 0;
        int b = s.length();
        while (a < b && isOws((byte) s.charAt(a))) a++;
        while (b > a && isOws((byte) s.charAt(b - 1))) b--;
        return s.substring(a, b);
    }
}
