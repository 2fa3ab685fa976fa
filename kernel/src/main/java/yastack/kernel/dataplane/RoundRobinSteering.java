package yastack.kernel.dataplane;

/** Each new flow goes to the next live worker in turn, whatever its hash. */
public final class RoundRobinSteering implements FlowSteering {
    private int next;

    @Override
    public int selectWorker(Flow flow, WorkerStates workers) {
        int live = workers.liveCount();
        if (live == 0) {
            return 0;
        }
        int n = next++ % live;
        if (next < 0) next = 0;
        return workers.liveWorker(n);
    }
}
