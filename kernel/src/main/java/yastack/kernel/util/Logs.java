package yastack.kernel.util;

import java.util.ResourceBundle;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The proxy's loggers: {@link System.Logger}s writing to java.util.logging, made here rather
 * than by {@link System#getLogger}, whose first call has the JDK look for logger-finder
 * providers on the class path as well as in the modules; on a module path that opens every
 * jar in lib/ (~45 ms of a one-core start, and their central directories stay on the heap).
 * The server also provides these as the process's {@link System.LoggerFinder}, so a plugin's
 * {@code System.getLogger} logs the same way.
 */
public final class Logs {
    private Logs() {}

    public static System.Logger get(String name) {
        return new JulLogger(Logger.getLogger(name));
    }

    private record JulLogger(Logger jul) implements System.Logger {
        @Override
        public String getName() {
            return jul.getName();
        }

        @Override
        public boolean isLoggable(Level level) {
            return jul.isLoggable(julLevel(level));
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
            java.util.logging.Level l = julLevel(level);
            if (!jul.isLoggable(l)) return;
            LogRecord r = record(l, bundle, msg);
            r.setThrown(thrown);
            jul.log(r);
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String format, Object... params) {
            java.util.logging.Level l = julLevel(level);
            if (!jul.isLoggable(l)) return;
            LogRecord r = record(l, bundle, format);
            r.setParameters(params); // formatted by the handler's formatter (MessageFormat), as System.Logger specifies
            jul.log(r);
        }

        private LogRecord record(java.util.logging.Level level, ResourceBundle bundle, String msg) {
            LogRecord r = new LogRecord(level, msg);
            r.setLoggerName(jul.getName());
            if (bundle != null) r.setResourceBundle(bundle);
            return r;
        }
    }

    /** The mapping the JDK's own bridge uses. */
    static Level julLevel(System.Logger.Level level) {
        return switch (level) {
            case ALL -> Level.ALL;
            case TRACE -> Level.FINER;
            case DEBUG -> Level.FINE;
            case INFO -> Level.INFO;
            case WARNING -> Level.WARNING;
            case ERROR -> Level.SEVERE;
            case OFF -> Level.OFF;
        };
    }
}
