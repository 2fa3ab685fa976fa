package yastack.proxy;

import io.netty.handler.codec.DateFormatter;
import io.netty.util.AsciiString;
import java.util.Calendar;
import java.util.Date;

/**
 * The checks a header field added through the HttpHeaders API passes in {@link FlatHttpHeaders}:
 * a name is a token and a value holds no control character but HTAB (RFC 9110 5.1, 5.5), the
 * same as Netty's {@code DefaultHttpHeaders}, so neither a filter nor a plugin can split a head.
 */
final class FieldText {
    private FieldText() {}

    // The loops are written per type: through CharSequence.charAt every character is a call the
    // JIT does not inline where names and values come as both Strings and AsciiStrings.

    static CharSequence validName(CharSequence name) {
        if (name == null || name.isEmpty()) throw new IllegalArgumentException("empty header name");
        if (name instanceof AsciiString a) {
            byte[] b = a.array();
            for (int i = a.arrayOffset(), end = i + a.length(); i < end; i++) {
                if (!Http1Grammar.isTchar((char) (b[i] & 0xff))) throw notToken(name);
            }
        } else if (name instanceof String t) {
            for (int i = 0, n = t.length(); i < n; i++) {
                if (!Http1Grammar.isTchar(t.charAt(i))) throw notToken(name);
            }
        } else {
            for (int i = 0, n = name.length(); i < n; i++) {
                if (!Http1Grammar.isTchar(name.charAt(i))) throw notToken(name);
            }
        }
        return name;
    }

    private static IllegalArgumentException notToken(CharSequence name) {
        return new IllegalArgumentException("a header name must be a token: '" + name + "'");
    }

    /** The value as text, as Netty's converter writes it; refused if it could end the field. */
    static CharSequence validValue(Object value) {
        if (value == null) throw new NullPointerException("header value");
        CharSequence v = switch (value) {
            case CharSequence cs -> cs;
            case Date d -> DateFormatter.format(d);
            case Calendar c -> DateFormatter.format(c.getTime());
            default -> value.toString();
        };
        if (v instanceof AsciiString a) {
            byte[] b = a.array();
            for (int i = a.arrayOffset(), end = i + a.length(); i < end; i++) {
                if (control((char) (b[i] & 0xff))) throw controlCharacter((char) (b[i] & 0xff));
            }
        } else if (v instanceof String t) {
            for (int i = 0, n = t.length(); i < n; i++) {
                if (control(t.charAt(i))) throw controlCharacter(t.charAt(i));
            }
        } else {
            for (int i = 0, n = v.length(); i < n; i++) {
                if (control(v.charAt(i))) throw controlCharacter(v.charAt(i));
            }
        }
        return v;
    }

    private static boolean control(char c) {
        return (c < 0x20 && c != '\t') || c == 0x7f;
    }

    private static IllegalArgumentException controlCharacter(char c) {
        return new IllegalArgumentException("a header value may not contain control characters (0x"
                + Integer.toHexString(c) + ")");
    }
}
