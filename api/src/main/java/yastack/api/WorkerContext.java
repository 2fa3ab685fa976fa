package yastack.api;

import java.time.Duration;
import java.util.concurrent.Executor;

/**
 * One worker thread: what a plugin uses to continue work later without
 * blocking and without leaving the thread that owns the stream or connection.
 */
public interface WorkerContext {
    /** This worker's index, 0-based. */
    int index();

    /**
     * Runs tasks on this worker's thread, in submission order. Safe to call from
     * any thread (e.g. from an HTTP client's callback thread).
     */
    Executor executor();

    /** Runs {@code task} on this worker's thread after {@code delay}. */
    Cancellable schedule(Duration delay, Runnable task);

    /** Whether the calling thread is this worker's thread. */
    boolean inWorker();
}
