package yastack.kernel.dataplane;

import java.util.concurrent.atomic.AtomicIntegerArray;
import yastack.api.WorkerSet;

/**
 * Which workers take new flows. Drain flags are written by the admin thread and read by the
 * distributor for every new flow; existing flows are never moved by a drain.
 */
public final class WorkerStates implements WorkerSet {
    private final AtomicIntegerArray drained;

    public WorkerStates(int workers) {
        this.drained = new AtomicIntegerArray(workers);
    }

    /** Number of workers, live or draining. */
    @Override
    public int size() {
        return drained.length();
    }

    /** Whether {@code worker} takes new flows. */
    @Override
    public boolean isLive(int worker) {
        return drained.getOpaque(worker) == 0;
    }

    public boolean isDrained(int worker) {
        return !isLive(worker);
    }

    @Override
    public int liveCount() {
        int n = 0;
        for (int i = 0; i < drained.length(); i++) {
            if (drained.getOpaque(i) == 0) n++;
        }
        return n;
    }

    /** The index of the {@code n}-th live worker, {@code 0 <= n < liveCount()}. */
    @Override
    public int liveWorker(int n) {
        for (int i = 0; i < drained.length(); i++) {
            if (drained.getOpaque(i) == 0 && n-- == 0) return i;
        }
        throw new IndexOutOfBoundsException("live worker " + n);
    }

    /** Returns whether the flag changed. */
    boolean setDrained(int worker, boolean value) {
        return drained.getAndSet(worker, value ? 1 : 0) != (value ? 1 : 0);
    }
}
