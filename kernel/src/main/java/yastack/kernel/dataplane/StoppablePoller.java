package yastack.kernel.dataplane;

import yastack.kernel.loop.DataPathPoller;

/**
 * A poller that can be switched off from another thread. Once a task submitted to the
 * worker after {@link #stop()} has run, the poller no longer touches its port or rings
 * (the loop runs pollers and tasks on one thread), so they may be closed.
 */
abstract class StoppablePoller implements DataPathPoller {
    private volatile boolean stopped;
    long nextDeadline = Long.MAX_VALUE;

    void stop() {
        stopped = true;
    }

    @Override
    public final int poll(long nowNanos) {
        return stopped ? 0 : doPoll(nowNanos);
    }

    abstract int doPoll(long nowNanos);

    @Override
    public long nextDeadlineNanos() {
        return stopped ? Long.MAX_VALUE : nextDeadline;
    }
}
