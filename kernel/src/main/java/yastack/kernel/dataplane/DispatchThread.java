package yastack.kernel.dataplane;

import java.util.List;
import java.util.concurrent.locks.LockSupport;
import yastack.kernel.loop.Affinity;
import yastack.kernel.util.Logs;

/**
 * The software distributor on a thread of its own ({@code rss.dispatch_core}), pinned to that
 * core, for when worker 0 should not do double duty. Idles like the workers: spin, yield,
 * then park for a time that doubles up to 1 ms.
 */
final class DispatchThread {
    private static final System.Logger LOG = Logs.get("yastack");
    private final List<Distributor> distributors;
    private final int core;
    private final Thread thread;
    private volatile boolean running = true;

    DispatchThread(List<Distributor> distributors, int core) {
        this.distributors = List.copyOf(distributors);
        this.core = core;
        this.thread = Thread.ofPlatform().name("dispatch").daemon().unstarted(this::run);
    }

    void start() {
        thread.start();
    }

    private void run() {
        if (core >= 0 && !Affinity.pinCurrentThread(core)) {
            LOG.log(System.Logger.Level.WARNING, "could not pin the dispatch thread to CPU " + core);
        }
        int idle = 0;
        long park = 50_000;
        while (running) {
            long now = System.nanoTime();
            int work = 0;
            for (Distributor d : distributors) {
                work += d.poll(now);
            }
            if (work > 0) {
                idle = 0;
                park = 50_000;
            } else if (++idle < 200) {
                Thread.onSpinWait();
            } else if (idle < 250) {
                Thread.yield();
            } else {
                LockSupport.parkNanos(park);
                park = Math.min(1_000_000, park * 2);
            }
        }
    }

    void stop() {
        running = false;
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
