package yastack.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/** The log line's layout, and System.Logger records arriving in java.util.logging with the JDK bridge's levels. */
class LoggingTest {
    @Test
    void aRecordIsOneLineWithUtcTimeLevelLoggerAndMessage() {
        LogRecord r = new LogRecord(Level.WARNING, "upstream {0} failed");
        r.setLoggerName("yastack");
        r.setParameters(new Object[] {"a"});
        r.setInstant(java.time.Instant.parse("2026-01-02T03:04:05.006Z"));
        assertEquals("2026-01-02T03:04:05.006Z WARNING yastack: upstream a failed" + System.lineSeparator(), new LineFormatter().format(r));

        LogRecord before1970 = new LogRecord(Level.INFO, "x");
        before1970.setLoggerName("l");
        before1970.setInstant(java.time.Instant.parse("1969-12-31T23:59:59.999Z"));
        assertTrue(new LineFormatter().format(before1970).startsWith("1969-12-31T23:59:59.999Z INFO l: x"));
    }

    @Test
    void aThrowableFollowsOnTheNextLines() {
        LogRecord r = new LogRecord(Level.SEVERE, "boom");
        r.setLoggerName("yastack");
        r.setInstant(java.time.Instant.EPOCH);
        r.setThrown(new IllegalStateException("why"));
        String[] lines = new LineFormatter().format(r).split(System.lineSeparator());
        assertEquals("1970-01-01T00:00:00.000Z SEVERE yastack: boom", lines[0]);
        assertEquals("java.lang.IllegalStateException: why", lines[1]);
        assertTrue(lines[2].startsWith("\tat "), lines[2]);
    }

    @Test
    void systemLoggerRecordsReachJavaUtilLoggingAtTheBridgesLevels() {
        Logger jul = Logger.getLogger("yastack.test.logging");
        List<LogRecord> seen = new ArrayList<>();
        Handler capture = new Handler() {
            @Override public void publish(LogRecord record) { seen.add(record); }
            @Override public void flush() {}
            @Override public void close() {}
        };
        jul.addHandler(capture);
        jul.setUseParentHandlers(false);
        jul.setLevel(Level.INFO);
        try {
            System.Logger log = new JulLoggerFinder().getLogger("yastack.test.logging", LoggingTest.class.getModule());
            assertFalse(log.isLoggable(System.Logger.Level.DEBUG));
            log.log(System.Logger.Level.DEBUG, "hidden");
            log.log(System.Logger.Level.ERROR, "failed {0}", "x");
            log.log(System.Logger.Level.WARNING, "careful", new RuntimeException("r"));
            assertEquals(2, seen.size());
            assertEquals(Level.SEVERE, seen.get(0).getLevel());
            assertEquals("failed x", new LineFormatter().formatMessage(seen.get(0)));
            assertEquals("yastack.test.logging", seen.get(0).getLoggerName());
            assertEquals(Level.WARNING, seen.get(1).getLevel());
            assertEquals("r", seen.get(1).getThrown().getMessage());
        } finally {
            jul.removeHandler(capture);
        }
    }
}
