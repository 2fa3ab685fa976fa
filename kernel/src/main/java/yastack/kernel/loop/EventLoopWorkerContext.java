package yastack.kernel.loop;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import yastack.api.Cancellable;
import yastack.api.WorkerContext;

/** {@link WorkerContext} of a worker that is a Netty event loop. */
public final class EventLoopWorkerContext implements WorkerContext {
    private final int index;
    private final EventExecutor loop;

    public EventLoopWorkerContext(int index, EventExecutor loop) {
        this.index = index;
        this.loop = loop;
    }

    @Override
    public int index() {
        return index;
    }

    @Override
    public Executor executor() {
        return loop;
    }

    @Override
    public Cancellable schedule(Duration delay, Runnable task) {
        ScheduledFuture<?> f = loop.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
        return () -> f.cancel(false);
    }

    @Override
    public boolean inWorker() {
        return loop.inEventLoop();
    }
}
