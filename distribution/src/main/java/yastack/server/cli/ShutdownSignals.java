package yastack.server.cli;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import sun.misc.Signal;
import sun.misc.SignalHandler;
import yastack.kernel.util.Logs;
import yastack.server.ProxyInstance;

/**
 * SIGTERM and SIGINT the way a fleet needs them. The JVM's own handling runs shutdown hooks
 * and exits 143 at once; here the first signal starts a graceful drain (what Kubernetes
 * sends after preStop) and the exit code, 0, is given once it is over; a second signal
 * cuts what is still open and exits at once with 128 + its number.
 */
final class ShutdownSignals {
    private static final System.Logger LOG = Logs.get("yastack");

    private ShutdownSignals() {}

    /** Installs the handlers; {@code exitCode} completes with the code the process should exit with. */
    static void install(ProxyInstance instance, CompletableFuture<Integer> exitCode) {
        AtomicInteger received = new AtomicInteger();
        SignalHandler handler = signal -> {
            if (received.incrementAndGet() == 1) {
                LOG.log(System.Logger.Level.INFO, "SIG" + signal.getName() + ": draining (send it again to exit at once)");
                instance.drain(true).whenComplete((done, failure) -> exitCode.complete(0));
            } else {
                LOG.log(System.Logger.Level.WARNING, "SIG" + signal.getName() + " again: exiting now");
                instance.proxy().cutConnections("SIG" + signal.getName() + " during the drain");
                exitCode.complete(128 + signal.getNumber());
            }
        };
        Signal.handle(new Signal("TERM"), handler);
        Signal.handle(new Signal("INT"), handler);
    }
}
