package yastack.server.admin;

import java.util.Arrays;
import java.util.Collection;
import java.util.Iterator;
import java.util.Map;

/**
 * Pretty JSON for the admin API's answers, from maps, lists, strings, numbers and booleans.
 * The layout is the one the admin API has always printed (Jackson's default pretty printer:
 * {@code "key" : value}, two-space indent, arrays as {@code [ a, b ]}), so scripts that read
 * or grep it keep working; it is written here because the admin server needs no JSON library
 * of its own for this much.
 */
public final class Json {
    private Json() {}

    public static String pretty(Object value) {
        StringBuilder out = new StringBuilder(256);
        write(out, value, 0);
        return out.toString();
    }

    private static void write(StringBuilder out, Object v, int depth) {
        switch (v) {
            case null -> out.append("null");
            case Map<?, ?> m -> object(out, m, depth);
            case Collection<?> c -> array(out, c.iterator(), c.isEmpty(), depth);
            case Object[] a -> array(out, Arrays.asList(a).iterator(), a.length == 0, depth);
            case Boolean b -> out.append(b);
            case Double d when d.isNaN() || d.isInfinite() -> string(out, d.toString());
            case Float f when f.isNaN() || f.isInfinite() -> string(out, f.toString());
            case Number n -> out.append(n);
            default -> string(out, v.toString());
        }
    }

    private static void object(StringBuilder out, Map<?, ?> m, int depth) {
        if (m.isEmpty()) {
            out.append("{ }");
            return;
        }
        out.append('{');
        boolean first = true;
        for (Map.Entry<?, ?> e : m.entrySet()) {
            if (!first) out.append(',');
            first = false;
            newline(out, depth + 1);
            string(out, String.valueOf(e.getKey()));
            out.append(" : ");
            write(out, e.getValue(), depth + 1);
        }
        newline(out, depth);
        out.append('}');
    }

    private static void array(StringBuilder out, Iterator<?> it, boolean empty, int depth) {
        if (empty) {
            out.append("[ ]");
            return;
        }
        out.append("[ ");
        boolean first = true;
        while (it.hasNext()) {
            if (!first) out.append(", ");
            first = false;
            write(out, it.next(), depth);
        }
        out.append(" ]");
    }

    private static void newline(StringBuilder out, int depth) {
        out.append('\n');
        for (int i = 0; i < depth; i++) out.append("  ");
    }

    private static void string(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20) {
                        out.append("\\u00").append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 15, 16));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
