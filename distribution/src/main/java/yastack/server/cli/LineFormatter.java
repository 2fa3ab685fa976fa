package yastack.server.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.logging.Formatter;
import java.util.logging.LogRecord;

/**
 * One line per record: {@code 2026-01-02T03:04:05.678Z LEVEL logger: message}, the time in
 * UTC whatever the machine's zone, the level's English name, then a stack trace if there is
 * one. Written out rather than through SimpleFormatter's format string, which at start-up
 * loads the time-zone database and Formatter's machinery to check the format (~18 ms on one
 * core) and would print local time under the "Z".
 */
final class LineFormatter extends Formatter {
    @Override
    public String format(LogRecord r) {
        StringBuilder b = new StringBuilder(160);
        appendUtc(b, r.getMillis());
        b.append(' ').append(r.getLevel().getName()).append(' ').append(r.getLoggerName()).append(": ").append(formatMessage(r));
        if (r.getThrown() != null) {
            StringWriter trace = new StringWriter();
            try (PrintWriter w = new PrintWriter(trace)) {
                w.println();
                r.getThrown().printStackTrace(w);
            }
            b.append(trace);
        }
        return b.append(System.lineSeparator()).toString();
    }

    static void appendUtc(StringBuilder b, long millis) {
        LocalDateTime t = LocalDateTime.ofEpochSecond(Math.floorDiv(millis, 1000), 0, ZoneOffset.UTC);
        pad(b, t.getYear(), 4).append('-');
        pad(b, t.getMonthValue(), 2).append('-');
        pad(b, t.getDayOfMonth(), 2).append('T');
        pad(b, t.getHour(), 2).append(':');
        pad(b, t.getMinute(), 2).append(':');
        pad(b, t.getSecond(), 2).append('.');
        pad(b, (int) Math.floorMod(millis, 1000), 3).append('Z');
    }

    private static StringBuilder pad(StringBuilder b, int value, int width) {
        String digits = Integer.toString(value);
        for (int i = digits.length(); i < width; i++) b.append('0');
        return b.append(digits);
    }
}
