package yastack.server.cli;

import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.StreamHandler;

/**
 * One line per log record on stderr ({@link LineFormatter}). The code logs through
 * {@link System.Logger}, whose records go to java.util.logging ({@link JulLoggerFinder}),
 * the backend configured here; {@code -Djava.util.logging.config.file} replaces all of it.
 */
final class Logging {
    /** Held: java.util.logging keeps loggers weakly, and a collected one would lose the level set here. */
    private static final Logger NETTY = Logger.getLogger("io.netty");

    private Logging() {}

    static void configure() {
        if (System.getProperty("java.util.logging.config.file") != null) return;
        LogManager.getLogManager().reset();
        // A StreamHandler given its formatter makes none of its own (ConsoleHandler would make a SimpleFormatter).
        StreamHandler h = new StreamHandler(System.err, new LineFormatter()) {
            @Override
            public synchronized void publish(LogRecord record) {
                super.publish(record);
                flush(); // a line is on stderr when it is logged, as ConsoleHandler does
            }

            @Override
            public synchronized void close() {
                flush(); // never close stderr
            }
        };
        h.setLevel(Level.ALL);
        Logger root = Logger.getLogger("");
        root.addHandler(h);
        root.setLevel(Level.INFO);
        // Netty is chatty at INFO about internals operators cannot act on.
        NETTY.setLevel(Level.WARNING);
    }
}
