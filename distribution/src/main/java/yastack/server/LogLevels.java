package yastack.server;

import java.util.Locale;
import java.util.logging.Level;

/**
 * Envoy's log level names (trace, debug, info, warning, error, critical, off) on
 * java.util.logging's levels, for {@code yastack run --log-level} and the admin API's
 * {@code /logging}; {@code critical} is as severe as java.util.logging gets.
 */
public final class LogLevels {
    public static final String NAMES = "trace, debug, info, warning, error, critical, off";

    private LogLevels() {}

    /** The level named {@code name}, or null for a name Envoy does not use. */
    public static Level parse(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "trace" -> Level.FINER;
            case "debug" -> Level.FINE;
            case "info" -> Level.INFO;
            case "warning", "warn" -> Level.WARNING;
            case "error", "critical" -> Level.SEVERE;
            case "off" -> Level.OFF;
            default -> null;
        };
    }

    /** Envoy's name for {@code level}; {@code inherited} for a logger without a level of its own. */
    public static String name(Level level) {
        if (level == null) return "inherited";
        if (level.intValue() <= Level.FINER.intValue()) return "trace";
        if (level.intValue() <= Level.FINE.intValue()) return "debug";
        if (level.intValue() <= Level.INFO.intValue()) return "info";
        if (level.intValue() <= Level.WARNING.intValue()) return "warning";
        return level == Level.OFF ? "off" : "error";
    }
}
