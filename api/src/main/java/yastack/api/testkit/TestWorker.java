package yastack.api.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Executor;
import yastack.api.Cancellable;
import yastack.api.WorkerContext;

/**
 * A worker driven by the test: tasks and timers run only when the test calls
 * {@link #runReady()} or {@link #advance(Duration)}; its thread is the thread
 * that created it.
 */
public final class TestWorker implements WorkerContext {
    private record Timer(long due, long seq, Runnable task) {}

    private final Thread owner = Thread.currentThread();
    private final List<Runnable> ready = new ArrayList<>();
    private final List<Timer> timers = new ArrayList<>();
    private long now;
    private long seq;

    @Override
    public int index() {
        return 0;
    }

    @Override
    public Executor executor() {
        return task -> {
            synchronized (ready) {
                ready.add(task);
                ready.notifyAll();
            }
        };
    }

    @Override
    public Cancellable schedule(Duration delay, Runnable task) {
        Timer t = new Timer(now + delay.toNanos(), seq++, task);
        timers.add(t);
        return () -> timers.remove(t);
    }

    @Override
    public boolean inWorker() {
        return Thread.currentThread() == owner;
    }

    /** Runs every task submitted to {@link #executor()} so far; returns how many ran. */
    public int runReady() {
        List<Runnable> batch;
        synchronized (ready) {
            batch = new ArrayList<>(ready);
            ready.clear();
        }
        batch.forEach(Runnable::run);
        return batch.size();
    }

    /**
     * Waits up to {@code timeout} for a task to be submitted (from another thread, say a
     * future completing), then runs what is ready; returns how many ran (0 on timeout).
     */
    public int runReady(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (ready) {
            for (long left = timeout.toNanos(); ready.isEmpty() && left > 0; left = deadline - System.nanoTime()) {
                ready.wait(Math.max(1, left / 1_000_000));
            }
        }
        return runReady();
    }

    /** Tasks submitted and not yet run. */
    public int pending() {
        synchronized (ready) {
            return ready.size();
        }
    }

    /** Moves the worker clock by {@code d}, running timers that fall due, in order. */
    public void advance(Duration d) {
        now += d.toNanos();
        while (true) {
            Timer next = timers.stream().filter(t -> t.due <= now)
                    .min(Comparator.comparingLong(Timer::due).thenComparingLong(Timer::seq)).orElse(null);
            if (next == null) break;
            timers.remove(next);
            next.task.run();
        }
        runReady();
    }
}
