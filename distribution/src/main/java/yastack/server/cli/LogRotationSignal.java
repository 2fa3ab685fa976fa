package yastack.server.cli;

import sun.misc.Signal;
import yastack.kernel.util.Logs;
import yastack.server.ProxyInstance;

/**
 * {@code kill -USR1 <pid>} reopens every access log by name, as Envoy and nginx do: what
 * logrotate's {@code postrotate} runs after renaming the files.
 */
final class LogRotationSignal {
    private static final System.Logger LOG = Logs.get("yastack");

    private LogRotationSignal() {}

    /** Installs the handler for this process's one running instance. */
    static void install(ProxyInstance instance) {
        try {
            Signal.handle(new Signal("USR1"), s -> {
                LOG.log(System.Logger.Level.INFO, "SIGUSR1: reopening access logs");
                instance.proxy().reopenLogs();
            });
        } catch (IllegalArgumentException e) {
            // A JVM that keeps USR1 for itself: rename detection still rotates the logs within a second.
            LOG.log(System.Logger.Level.WARNING, "SIGUSR1 is not available for log rotation: " + e.getMessage());
        }
    }
}
