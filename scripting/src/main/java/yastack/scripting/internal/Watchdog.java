package yastack.scripting.internal;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;

/**
 * One daemon thread that cuts off script calls running past their deadline.
 * A call costs the worker two volatile writes; the watchdog scans the live
 * contexts every tick, so a runaway call ends within about limit + tick.
 */
final class Watchdog implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("yastack.script");

    private final Set<ScriptContext> contexts = ConcurrentHashMap.newKeySet();
    private final long tickNanos;
    private final Duration grace;
    private final Thread thread;
    private volatile boolean running = true;

    Watchdog(Duration tick, Duration grace) {
        this.tickNanos = tick.toNanos();
        this.grace = grace;
        this.thread = Thread.ofPlatform().daemon().name("yastack-script-watchdog").unstarted(this::run);
        thread.start();
    }

    void register(ScriptContext c) {
        contexts.add(c);
    }

    void unregister(ScriptContext c) {
        contexts.remove(c);
    }

    private void run() {
        while (running) {
            LockSupport.parkNanos(tickNanos);
            long now = System.nanoTime();
            for (ScriptContext c : contexts) {
                // Sequence first: a deadline read after it belongs to that call or a later one.
                long seq = c.callSeq();
                long d = c.deadline();
                if (d != 0 && now - d > 0) {
                    try {
                        c.interruptIfStillRunning(seq, grace);
                    } catch (RuntimeException e) {
                        LOG.log(System.Logger.Level.WARNING, "could not interrupt a runaway script: " + e, e);
                    }
                }
            }
        }
    }

    @Override
    public void close() {
        running = false;
        LockSupport.unpark(thread);
    }
}
