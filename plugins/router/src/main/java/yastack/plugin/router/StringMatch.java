package yastack.plugin.router;

import java.util.regex.Pattern;

/** One of exact / prefix / suffix / contains / regex / present against a possibly absent value. */
record StringMatch(Kind kind, String operand, Pattern regex, boolean invert) {
    enum Kind { EXACT, PREFIX, SUFFIX, CONTAINS, REGEX, PRESENT }

    static StringMatch of(String exact, String prefix, String suffix, String contains, String regex, boolean invert) {
        if (!exact.isEmpty()) return new StringMatch(Kind.EXACT, exact, null, invert);
        if (!prefix.isEmpty()) return new StringMatch(Kind.PREFIX, prefix, null, invert);
        if (!suffix.isEmpty()) return new StringMatch(Kind.SUFFIX, suffix, null, invert);
        if (!contains.isEmpty()) return new StringMatch(Kind.CONTAINS, contains, null, invert);
        if (!regex.isEmpty()) return new StringMatch(Kind.REGEX, regex, Pattern.compile(regex), invert);
        return new StringMatch(Kind.PRESENT, "", null, invert);
    }

    boolean matches(String value) {
        boolean result = value != null && switch (kind) {
            case EXACT -> value.equals(operand);
            case PREFIX -> value.startsWith(operand);
            case SUFFIX -> value.endsWith(operand);
            case CONTAINS -> value.contains(operand);
            case REGEX -> regex.matcher(value).matches();
            case PRESENT -> true;
        };
        return result != invert;
    }
}
