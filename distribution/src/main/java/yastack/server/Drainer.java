package yastack.server;

import com.google.protobuf.util.Durations;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import yastack.api.config.Drain;
import yastack.kernel.util.Logs;
import yastack.proxy.ProxyServer;

/**
 * One graceful drain of the proxy, on a thread of its own: connections are told to close
 * as they finish (the proxy's part), listeners keep accepting for {@code drain.delay} and
 * then close, and the drain ends when the last connection has or at {@code drain.timeout}
 * (counted from its start), when what is left is cut and logged.
 */
final class Drainer {
    private static final System.Logger LOG = Logs.get("yastack");

    private final ProxyServer proxy;
    private final long delayNanos;
    private final long timeoutNanos;
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private final Thread thread;
    private volatile boolean skipDelay;

    private Drainer(ProxyServer proxy, Drain settings, boolean graceful) {
        this.proxy = proxy;
        this.delayNanos = graceful && settings.hasDelay() ? Durations.toNanos(settings.getDelay()) : 0;
        this.timeoutNanos = settings.hasTimeout() ? Durations.toNanos(settings.getTimeout()) : TimeUnit.SECONDS.toNanos(30);
        this.thread = Thread.ofPlatform().name("drain").unstarted(this::run);
    }

    /** Starts a drain with the config's {@code drain:} settings; without {@code graceful} listeners close at once. */
    static Drainer start(ProxyServer proxy, Drain settings, boolean graceful) {
        Drainer d = new Drainer(proxy, settings, graceful);
        d.thread.start();
        return d;
    }

    /** Completes when every connection is closed, or was cut at the timeout. */
    CompletableFuture<Void> done() {
        return done;
    }

    /** A non-graceful request during a graceful drain's delay: close the listeners now. */
    void closeListenersNow() {
        skipDelay = true;
        thread.interrupt();
    }

    private void run() {
        long start = System.nanoTime();
        try {
            LOG.log(System.Logger.Level.INFO, "drain: started; listeners accept for " + TimeUnit.NANOSECONDS.toMillis(delayNanos)
                    + " ms more, connections close as they finish, at most " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms in all");
            proxy.drainConnections(true);
            sleepUntil(start + delayNanos, true);
            proxy.closeListeners();
            int open = proxy.openConnections();
            LOG.log(System.Logger.Level.INFO, "drain: listeners closed; " + open + " connection" + (open == 1 ? "" : "s") + " still open");
            long deadline = start + timeoutNanos;
            while (proxy.openConnections() > 0 && System.nanoTime() - deadline < 0) sleepUntil(Math.min(deadline, System.nanoTime() + 20_000_000L), false);
            int cut = proxy.cutConnections("timeout after " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms");
            LOG.log(System.Logger.Level.INFO, "drain: done in " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) + " ms"
                    + (cut > 0 ? ", " + cut + " cut at the timeout" : ", every connection finished"));
            done.complete(null);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "drain failed", e);
            done.completeExceptionally(e);
        }
    }

    /** Sleeps until {@code deadline} (nanoTime); an interrupt ends the delay early only when asked to skip it. */
    private void sleepUntil(long deadline, boolean delay) {
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || (delay && skipDelay)) return;
            try {
                TimeUnit.NANOSECONDS.sleep(left);
            } catch (InterruptedException e) {
                // closeListenersNow(), checked above
            }
        }
    }
}
