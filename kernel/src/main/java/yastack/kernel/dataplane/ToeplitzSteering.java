package yastack.kernel.dataplane;

import yastack.kernel.io.rss.RedirectionTable;

/**
 * What a NIC would do: the flow's symmetric Toeplitz hash indexes the default redirection
 * table over all workers. When that worker is drained, the hash picks among the live ones
 * instead, so new flows leave a drained worker but stay spread evenly.
 */
public final class ToeplitzSteering implements FlowSteering {
    private final RedirectionTable table;

    public ToeplitzSteering(int workers) {
        this.table = RedirectionTable.roundRobin(workers);
    }

    @Override
    public int selectWorker(Flow flow, WorkerStates workers) {
        int w = table.queueOf(flow.hash());
        if (workers.isLive(w)) {
            return w;
        }
        int live = workers.liveCount();
        return live == 0 ? w : workers.liveWorker(Integer.remainderUnsigned(flow.hash(), live));
    }
}
