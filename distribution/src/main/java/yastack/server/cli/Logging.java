package yastack.server.cli;

import java.util.logging.ConsoleHandler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * One line per log record on stderr: time, level, logger, message. The code logs through
 * {@link System.Logger}, whose records go to java.util.logging, the backend configured here.
 */
final class Logging {
    private Logging() {}

    static void configure() {
        if (System.getProperty("java.util.logging.config.file") != null) return;
        System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tFT%1$tT.%1$tLZ %4$s %3$s: %5$s%6$s%n");
        LogManager.getLogManager().reset();
        ConsoleHandler h = new ConsoleHandler();
        h.setFormatter(new SimpleFormatter());
        h.setLevel(Level.ALL);
        Logger root = Logger.getLogger("");
        root.addHandler(h);
        root.setLevel(Level.INFO);
        // Netty is chatty at INFO about internals operators cannot act on.
        Logger.getLogger("io.netty").setLevel(Level.WARNING);
    }
}
