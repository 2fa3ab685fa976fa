package yastack.api;

/**
 * Decides which worker handles a new flow when the userspace stack distributes
 * packets in software. The distributor remembers every flow's worker, so a policy
 * is asked once per flow and a known flow stays on its worker (also while that
 * worker drains). All methods are called on the one distributor thread (no
 * synchronization needed), at packet rate for new flows, so {@link #selectWorker}
 * must be fast and should avoid allocating.
 */
public interface SteeringPolicy {
    /**
     * The worker index for a new flow; must be a live worker of
     * {@code workers} (the kernel falls back to the first live worker otherwise).
     * The {@code flow} object may be reused by the caller after this returns:
     * copy it ({@link FlowKey#copy}) to remember it.
     */
    int selectWorker(FlowKey flow, WorkerSet workers);

    /** Worker {@code worker} is draining: send it no new flows. */
    default void onWorkerDrain(int worker) {}

    /** Worker {@code worker} takes new flows again. */
    default void onWorkerUndrain(int worker) {}

    /** The distributor forgot {@code flow} (closed or idle); drop any state kept for it. */
    default void onFlowClosed(FlowKey flow) {}

    /**
     * The config that created this object was replaced and nothing uses it any
     * more: release threads, files and timers. Called once, on a control thread.
     */
    default void close() {}
}
