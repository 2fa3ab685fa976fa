package yastack.plugin.common;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import yastack.api.PluginConfigException;

/**
 * {@code %START_TIME(format)%}: strftime specifiers as Envoy writes them, in UTC. The default
 * is Envoy's {@code %Y-%m-%dT%H:%M:%E3SZ} (2024-05-01T12:00:00.123Z). Supported: {@code %Y %y
 * %m %d %H %M %S %j %a %b %F %T %z %Z %s %%}, fractions {@code %f} (microseconds),
 * {@code %3f %6f %9f}, and seconds with a fraction {@code %E3S %E6S %E9S}.
 */
final class StartTimeFormat {
    private static final String[] DAYS = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
    private static final String[] MONTHS = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    private static final StartTimeFormat ENVOY_DEFAULT;

    static {
        try {
            ENVOY_DEFAULT = compile("%Y-%m-%dT%H:%M:%E3SZ", "START_TIME");
        } catch (PluginConfigException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final List<BiConsumer<StringBuilder, ZonedDateTime>> parts;

    private StartTimeFormat(List<BiConsumer<StringBuilder, ZonedDateTime>> parts) {
        this.parts = parts;
    }

    static StartTimeFormat parse(String format, String field) throws PluginConfigException {
        return format == null || format.isEmpty() ? ENVOY_DEFAULT : compile(format, field);
    }

    String format(Instant t) {
        ZonedDateTime z = t.atZone(ZoneOffset.UTC);
        StringBuilder sb = new StringBuilder(32);
        for (var p : parts) p.accept(sb, z);
        return sb.toString();
    }

    private static StartTimeFormat compile(String f, String field) throws PluginConfigException {
        List<BiConsumer<StringBuilder, ZonedDateTime>> parts = new ArrayList<>();
        int i = 0;
        while (i < f.length()) {
            char c = f.charAt(i);
            if (c != '%') {
                parts.add((sb, z) -> sb.append(c));
                i++;
                continue;
            }
            if (i + 1 >= f.length()) throw bad(field, f, "a lone % at the end");
            char s = f.charAt(i + 1);
            if ((s == '3' || s == '6' || s == '9') && i + 2 < f.length() && f.charAt(i + 2) == 'f') {
                int digits = s - '0';
                parts.add((sb, z) -> fraction(sb, z, digits));
                i += 3;
                continue;
            }
            if (s == 'E' && i + 3 < f.length() && f.charAt(i + 3) == 'S' && "369".indexOf(f.charAt(i + 2)) >= 0) {
                int digits = f.charAt(i + 2) - '0';
                parts.add((sb, z) -> fraction(pad(sb, z.getSecond(), 2).append('.'), z, digits));
                i += 4;
                continue;
            }
            parts.add(specifier(s, field, f));
            i += 2;
        }
        return new StartTimeFormat(List.copyOf(parts));
    }

    private static BiConsumer<StringBuilder, ZonedDateTime> specifier(char s, String field, String f) throws PluginConfigException {
        return switch (s) {
            case 'Y' -> (sb, z) -> sb.append(z.getYear());
            case 'y' -> (sb, z) -> pad(sb, z.getYear() % 100, 2);
            case 'm' -> (sb, z) -> pad(sb, z.getMonthValue(), 2);
            case 'd' -> (sb, z) -> pad(sb, z.getDayOfMonth(), 2);
            case 'H' -> (sb, z) -> pad(sb, z.getHour(), 2);
            case 'M' -> (sb, z) -> pad(sb, z.getMinute(), 2);
            case 'S' -> (sb, z) -> pad(sb, z.getSecond(), 2);
            case 'j' -> (sb, z) -> pad(sb, z.getDayOfYear(), 3);
            case 'a' -> (sb, z) -> sb.append(DAYS[z.getDayOfWeek().ordinal()]);
            case 'b' -> (sb, z) -> sb.append(MONTHS[z.getMonthValue() - 1]);
            case 'F' -> (sb, z) -> pad(pad(sb.append(z.getYear()).append('-'), z.getMonthValue(), 2).append('-'), z.getDayOfMonth(), 2);
            case 'T' -> (sb, z) -> pad(pad(pad(sb, z.getHour(), 2).append(':'), z.getMinute(), 2).append(':'), z.getSecond(), 2);
            case 'z' -> (sb, z) -> sb.append("+0000");
            case 'Z' -> (sb, z) -> sb.append("UTC");
            case 's' -> (sb, z) -> sb.append(z.toEpochSecond());
            case 'f' -> (sb, z) -> fraction(sb, z, 6);
            case '%' -> (sb, z) -> sb.append('%');
            default -> throw bad(field, f, "unsupported specifier %" + s);
        };
    }

    private static StringBuilder fraction(StringBuilder sb, ZonedDateTime z, int digits) {
        int nanos = z.getNano();
        for (int d = 9; d > digits; d--) nanos /= 10;
        return pad(sb, nanos, digits);
    }

    private static StringBuilder pad(StringBuilder sb, int value, int width) {
        String s = Integer.toString(value);
        for (int i = s.length(); i < width; i++) sb.append('0');
        return sb.append(s);
    }

    private static PluginConfigException bad(String field, String format, String what) {
        return new PluginConfigException(field + ": %START_TIME(" + format + ")%: " + what);
    }
}
