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

    /** The shard whose transmissions {@link #holdTransmit()} defers, or null (a distributor). */
    Shard heldShard() {
        return null;
    }

    private Shard held;

    @Override
    public final void holdTransmit() {
        Shard s = stopped ? null : heldShard();
        if (s != null && held == null) {
            held = s;
            s.stack.holdTransmit();
        }
    }

    @Override
    public final void releaseTransmit() {
        // Even when stopped meanwhile: the port is closed only by a task that runs after this.
        Shard s = held;
        if (s != null) {
            held = null;
            s.stack.releaseTransmit();
        }
    }

    @Override
    public long nextDeadlineNanos() {
        return stopped ? Long.MAX_VALUE : nextDeadline;
    }
}
