package yastack.api.testkit;

import java.util.BitSet;
import yastack.api.WorkerSet;

/** {@code size} workers, some of which the test marks as draining. */
public final class TestWorkerSet implements WorkerSet {
    private final int size;
    private final BitSet draining = new BitSet();

    public TestWorkerSet(int size) {
        this.size = size;
    }

    public TestWorkerSet drain(int worker) {
        draining.set(worker);
        return this;
    }

    public TestWorkerSet undrain(int worker) {
        draining.clear(worker);
        return this;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public boolean isLive(int worker) {
        return worker >= 0 && worker < size && !draining.get(worker);
    }

    @Override
    public int liveCount() {
        return size - draining.cardinality();
    }

    @Override
    public int liveWorker(int n) {
        for (int w = 0, seen = 0; w < size; w++) {
            if (!draining.get(w) && seen++ == n) return w;
        }
        throw new IndexOutOfBoundsException("live worker " + n + " of " + liveCount());
    }
}
