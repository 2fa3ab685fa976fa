package yastack.api;

/**
 * Decides which worker handles a flow when the userspace stack distributes
 * packets in software. All methods are called on the one distributor thread
 * (no synchronization needed), for every packet, so {@link #selectWorker} must
 * be fast and should avoid allocating.
 */
public interface SteeringPolicy {
    /**
     * The worker index for the packet's flow; must be a live worker of
     * {@code workers} (the kernel falls back to the first live worker otherwise).
     * The {@code flow} object may be reused by the caller after this returns:
     * copy it ({@link FlowKey#copy}) to remember it.
     */
    int selectWorker(FlowKey flow, WorkerSet workers);

    /** Worker {@code worker} is draining: send it no new flows. */
    default void onWorkerDrain(int worker) {}

    /** Worker {@code worker} takes new flows again. */
    default void onWorkerUndrain(int worker) {}

    /** The stack forgot {@code flow} (closed or timed out); drop any state kept for it. */
    default void onFlowClosed(FlowKey flow) {}

    /**
     * The config that created this object was replaced and nothing uses it any
     * more: release threads, files and timers. Called once, on a control thread.
     */
    default void close() {}
}
