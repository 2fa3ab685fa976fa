package yastack.kernel.loop;

/**
 * Work a worker loop drives besides its host sockets: receive bursts into the userspace
 * stack, its timers, transmit flushes. Called only on the worker's thread.
 */
public interface DataPathPoller {
    /**
     * Does one round of work (receive burst, stack input, timers, transmit flush).
     *
     * @return how much work was done (frames, timers); 0 when idle
     */
    int poll(long nowNanos);

    /**
     * From now until {@link #releaseTransmit()}, frames produced by writes on this poller's
     * userspace connections wait in the transmit batch: the loop brackets its host-socket round
     * with these, so the responses of a whole epoll round leave in one device burst.
     */
    default void holdTransmit() {
    }

    /** Ends {@link #holdTransmit()} and transmits what it held. */
    default void releaseTransmit() {
    }

    /** The next time (System.nanoTime) this poller has a timer due, or Long.MAX_VALUE. */
    default long nextDeadlineNanos() {
        return Long.MAX_VALUE;
    }
}
