package yastack.config;

import com.google.protobuf.Duration;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as users write them: a number with a unit ({@code 5s}, {@code 250ms},
 * {@code 1.5s}, {@code 1m}, {@code 1h}), or several in a row ({@code 1m30s}).
 */
final class DurationText {
    private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d+)?|\\.\\d+)(ns|us|µs|ms|s|m|h)");
    private static final BigDecimal NANOS_PER_SECOND = BigDecimal.valueOf(1_000_000_000L);
    /** The range google.protobuf.Duration allows: about +-10,000 years. */
    private static final long MAX_SECONDS = 315_576_000_000L;

    static final String EXPECTED = "expected a duration such as 5s, 250ms, 1.5s, 1m or 1h";

    private DurationText() {}

    /** Parses {@code text}; throws IllegalArgumentException with a user-facing reason. */
    static Duration parse(String text) {
        String s = text.strip();
        boolean negative = s.startsWith("-");
        if (negative || s.startsWith("+")) s = s.substring(1);
        if (s.isEmpty()) throw new IllegalArgumentException(EXPECTED + ", got '" + text + "'");
        Matcher m = PART.matcher(s);
        BigDecimal nanos = BigDecimal.ZERO;
        int pos = 0;
        while (pos < s.length()) {
            if (!m.find(pos) || m.start() != pos) {
                String why = s.chars().allMatch(c -> Character.isDigit(c) || c == '.') ? " (missing unit)" : "";
                throw new IllegalArgumentException(EXPECTED + ", got '" + text + "'" + why);
            }
            nanos = nanos.add(new BigDecimal(m.group(1)).multiply(unitNanos(m.group(2))));
            pos = m.end();
        }
        BigInteger whole = nanos.toBigInteger();
        if (nanos.compareTo(new BigDecimal(whole)) != 0) {
            throw new IllegalArgumentException("duration '" + text + "' is finer than a nanosecond");
        }
        BigInteger[] sn = whole.divideAndRemainder(NANOS_PER_SECOND.toBigInteger());
        if (sn[0].compareTo(BigInteger.valueOf(MAX_SECONDS)) > 0) {
            throw new IllegalArgumentException("duration '" + text + "' is too long");
        }
        long seconds = sn[0].longValueExact();
        int n = sn[1].intValueExact();
        return negative
                ? Duration.newBuilder().setSeconds(-seconds).setNanos(-n).build()
                : Duration.newBuilder().setSeconds(seconds).setNanos(n).build();
    }

    private static BigDecimal unitNanos(String unit) {
        return switch (unit) {
            case "ns" -> BigDecimal.ONE;
            case "us", "µs" -> BigDecimal.valueOf(1_000L);
            case "ms" -> BigDecimal.valueOf(1_000_000L);
            case "s" -> NANOS_PER_SECOND;
            case "m" -> BigDecimal.valueOf(60_000_000_000L);
            case "h" -> BigDecimal.valueOf(3_600_000_000_000L);
            default -> throw new IllegalStateException(unit);
        };
    }

    static boolean isNegative(Duration d) {
        return d.getSeconds() < 0 || d.getNanos() < 0;
    }
}
