package yastack.scripting.internal;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;

/**
 * The control-plane thread that notices edited scripts. It compares every
 * file each script version was built from (the main file and its imports)
 * with the disk at a fixed interval and lets the script compile, check and
 * publish a new version. Comparing content, not timestamps, catches edits
 * within one timestamp tick and ignores touches that change nothing.
 */
public final class ReloadWatcher implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("yastack.script");

    private final Set<ScriptUnit> units = ConcurrentHashMap.newKeySet();
    private final long intervalNanos;
    private final Thread thread;
    private volatile boolean running = true;

    public ReloadWatcher(Duration interval) {
        this.intervalNanos = interval.toNanos();
        this.thread = Thread.ofPlatform().daemon().name("yastack-script-reload").unstarted(this::run);
        thread.start();
    }

    public void watch(ScriptUnit u) {
        units.add(u);
    }

    public void unwatch(ScriptUnit u) {
        units.remove(u);
    }

    /** Checks every script now, on the calling thread (tests, or an admin "reload" command). */
    public int checkNow() {
        int n = 0;
        for (ScriptUnit u : units) {
            if (u.isClosed()) {
                units.remove(u);
                continue;
            }
            try {
                if (u.reloadIfChanged()) n++;
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "reloading script " + u.name() + " failed: " + e, e);
            }
        }
        return n;
    }

    private void run() {
        while (running) {
            LockSupport.parkNanos(intervalNanos);
            if (running) checkNow();
        }
    }

    @Override
    public void close() {
        running = false;
        LockSupport.unpark(thread);
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
