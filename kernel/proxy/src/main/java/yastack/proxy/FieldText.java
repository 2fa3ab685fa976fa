package yastack.proxy;

import io.netty.handler.codec.DateFormatter;
import java.util.Calendar;
import java.util.Date;

/**
 * The checks a header field added through the HttpHeaders API passes in {@link FlatHttpHeaders}:
 * a name is a token and a value holds no control character but HTAB (RFC 9110 5.1, 5.5), the
 * same as Netty's {@code DefaultHttpHeaders}, so neither a filter nor a plugin can split a head.
 */
final class FieldText {
    private FieldText() {}

    static CharSequence validName(CharSequence name) {
        if (name == null || name.isEmpty()) throw new IllegalArgumentException("empty header name");
        for (int i = 0; i < name.length(); i++) {
            if (!Http1Grammar.isTchar(name.charAt(i))) {
                throw new IllegalArgumentException("a header name must be a token: '" + name + "'");
            }
        }
        return name;
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
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if ((c < 0x20 && c != '\t') || c == 0x7f) {
                throw new IllegalArgumentException("a header value may not contain control characters (0x"
                        + Integer.toHexString(c) + ")");
            }
        }
        return v;
    }
}
