package yastack.api;

/** The workers a steering policy may choose from. */
public interface WorkerSet {
    /** Number of workers, live or draining; worker indexes are {@code 0..size()-1}. */
    int size();

    /** Whether {@code worker} takes new flows (is not draining). */
    boolean isLive(int worker);

    /** Number of live workers. */
    int liveCount();

    /** The index of the {@code n}-th live worker, {@code 0 <= n < liveCount()}. */
    int liveWorker(int n);
}
