package yastack.plugin.common;

import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import yastack.api.HttpRequestHead;
import yastack.api.HttpResponseHead;
import yastack.api.HttpStream;
import yastack.api.PluginConfigException;
import yastack.api.StreamSummary;

/**
 * A text with Envoy command operators, parsed once at config time and expanded per request:
 * {@code %OPERATOR%}, {@code %OPERATOR(argument)%} and {@code %OPERATOR(argument):N%} (the value
 * cut to N characters); {@code %%} is a literal percent sign. The operators
 * ({@code %REQ(X?Y)%}, {@code %RESPONSE_CODE%}, {@code %START_TIME(format)%}, ...) are listed
 * in plugins/README.md; those about the response and the end of the stream are empty until
 * the stream completed.
 */
public final class Template {
    /** What a template is expanded against; fields not known yet are {@code null}. */
    public record Vars(HttpStream stream, HttpRequestHead request, HttpResponseHead response, StreamSummary summary,
                       Instant startTime) {}

    /** A literal (a String) or an operator. */
    private final List<Object> parts;
    private final String source;
    private final boolean constant;

    private Template(String source, List<Object> parts) {
        this.source = source;
        this.parts = parts;
        this.constant = parts.stream().allMatch(String.class::isInstance);
    }

    /** Parses {@code text}; {@code field} names it in errors. */
    public static Template parse(String text, String field) throws PluginConfigException {
        List<Object> parts = new ArrayList<>();
        StringBuilder literal = new StringBuilder();
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c != '%') {
                literal.append(c);
                i++;
                continue;
            }
            if (i + 1 < text.length() && text.charAt(i + 1) == '%') {
                literal.append('%');
                i += 2;
                continue;
            }
            int nameEnd = i + 1;
            while (nameEnd < text.length() && isNameChar(text.charAt(nameEnd))) nameEnd++;
            if (nameEnd == i + 1) throw bad(field, text, i, "a command operator name (A-Z, 0-9, _) after %");
            String name = text.substring(i + 1, nameEnd);
            int p = nameEnd;
            String arg = null;
            if (p < text.length() && text.charAt(p) == '(') {
                int close = text.indexOf(')', p);
                if (close < 0) throw bad(field, text, p, "a ) closing %" + name + "(");
                arg = text.substring(p + 1, close);
                p = close + 1;
            }
            int maxLength = 0;
            if (p < text.length() && text.charAt(p) == ':') {
                int digits = p + 1;
                while (digits < text.length() && Character.isDigit(text.charAt(digits))) digits++;
                if (digits == p + 1 || digits - p > 7) throw bad(field, text, p, "a length of 1..999999 after :");
                maxLength = Integer.parseInt(text.substring(p + 1, digits));
                p = digits;
            }
            if (p >= text.length() || text.charAt(p) != '%') throw bad(field, text, i, "% closing %" + name);
            if (!literal.isEmpty()) {
                parts.add(literal.toString());
                literal.setLength(0);
            }
            parts.add(CommandOperators.of(name, arg, maxLength, field));
            i = p + 1;
        }
        if (!literal.isEmpty()) parts.add(literal.toString());
        return new Template(text, List.copyOf(parts));
    }

    private static boolean isNameChar(char c) {
        return c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_';
    }

    private static PluginConfigException bad(String field, String text, int at, String expected) {
        return new PluginConfigException(field + ": expected " + expected + " at position " + at + " in \"" + text + "\"");
    }

    /** Whether the template has no operators. */
    public boolean isConstant() {
        return constant;
    }

    public String source() {
        return source;
    }

    /** The text, with absent values as {@code ""} (header values). */
    public String expand(Vars vars) {
        return expand(vars, "");
    }

    /** The text, with absent values as {@code absent} (Envoy's access logs print {@code -}). */
    public String expand(Vars vars, String absent) {
        if (parts.isEmpty()) return "";
        if (parts.size() == 1) return text(parts.getFirst(), vars, absent);
        StringBuilder sb = new StringBuilder(64);
        for (Object p : parts) sb.append(text(p, vars, absent));
        return sb.toString();
    }

    /**
     * The value as JSON wants it: a template that is one operator alone gives that operator's
     * value as it is (a {@link Long}, a {@link String}, or {@code null} when absent); any other
     * gives its text with absent values as {@code -}.
     */
    public Object value(Vars vars) {
        if (parts.size() == 1 && parts.getFirst() instanceof CommandOperators.Operator op) return op.value(vars);
        return expand(vars, "-");
    }

    private static String text(Object part, Vars vars, String absent) {
        if (part instanceof String s) return s;
        Object v = ((CommandOperators.Operator) part).value(vars);
        return v == null ? absent : v.toString();
    }

    /** {@code ip:port} (IPv6 in brackets), or just the IP; {@code ""} for {@code null}. */
    public static String address(InetSocketAddress a, boolean withPort) {
        String s = CommandOperators.address(a, withPort);
        return s == null ? "" : s;
    }

    @Override
    public String toString() {
        return source;
    }
}
