package yastack.server.cli;

import yastack.kernel.util.Logs;

/**
 * The process's logger finder: {@link Logs}' loggers, which write to java.util.logging
 * (configured by {@link Logging}). Provided by this module so that the JDK's logging set-up
 * finds a finder among the modules' declared services instead of searching the class path,
 * which on a module path opens every jar in lib/.
 */
public final class JulLoggerFinder extends System.LoggerFinder {
    @Override
    public System.Logger getLogger(String name, Module module) {
        return Logs.get(name);
    }
}
