package yastack.kernel.dataplane;

/**
 * Chooses the worker of a NEW flow in software RSS. The distributor remembers the answer in
 * its flow table, so a flow never moves. All methods run on the distributor thread.
 *
 * <p>Kernel-side twin of {@code yastack.api.SteeringPolicy}: the same methods, with
 * {@link Flow} (a {@code FlowKey}) and {@link WorkerStates} (a {@code WorkerSet}); {@link #of}
 * runs a plugin policy unchanged.
 */
public interface FlowSteering {
    /** A worker index in {@code 0..workers.size()-1}; a drained or invalid answer is replaced by a live worker. */
    int selectWorker(Flow flow, WorkerStates workers);

    default void onWorkerDrain(int worker) {
    }

    default void onWorkerUndrain(int worker) {
    }

    /** The distributor forgot {@code flow} (closed or idle). */
    default void onFlowClosed(Flow flow) {
    }

    /** Runs a plugin-layer policy ({@code yastack.api.SteeringPolicy}) in the distributor. */
    public static FlowSteering of(yastack.api.SteeringPolicy policy) {
        return new FlowSteering() {
            @Override
            public int selectWorker(Flow flow, WorkerStates workers) {
                return policy.selectWorker(flow, workers);
            }

            @Override
            public void onWorkerDrain(int worker) {
                policy.onWorkerDrain(worker);
            }

            @Override
            public void onWorkerUndrain(int worker) {
                policy.onWorkerUndrain(worker);
            }

            @Override
            public void onFlowClosed(Flow flow) {
                policy.onFlowClosed(flow);
            }

            @Override
            public String toString() {
                return policy.toString();
            }
        };
    }

    /** The built-in policies by their config names: {@code toeplitz} (also drain-aware), {@code round-robin-new-flows}. */
    static FlowSteering named(String name, int workers) {
        return switch (name) {
            case "", "toeplitz", "drain-aware" -> new ToeplitzSteering(workers);
            case "round-robin-new-flows", "round-robin" -> new RoundRobinSteering();
            default -> throw new IllegalArgumentException("unknown steering policy '" + name
                    + "' (built in: toeplitz, drain-aware, round-robin-new-flows)");
        };
    }
}
