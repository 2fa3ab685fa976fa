package yastack.plugin.steering;

import yastack.api.PluginConfig;
import yastack.api.PluginConfigException;
import yastack.api.PluginContext;
import yastack.api.SteeringPolicy;
import yastack.api.SteeringPolicyFactory;
import yastack.api.WorkerSet;

/**
 * {@code toeplitz}, the default: what a NIC does in hardware. The flow's symmetric Toeplitz
 * hash picks a worker through a 128-entry redirection table spread over the workers in turn
 * (a NIC's default table). When that worker is draining, the hash picks among the live ones
 * instead, so new flows leave a drained worker but stay evenly spread; flows already placed
 * stay where they are, because the distributor remembers them.
 */
public final class ToeplitzSteeringFactory implements SteeringPolicyFactory {
    /** Entries of a NIC's default redirection table. */
    static final int TABLE_SIZE = 128;

    @Override
    public String name() {
        return "toeplitz";
    }

    @Override
    public String description() {
        return "symmetric Toeplitz hash through a NIC's default redirection table; live workers only";
    }

    @Override
    public void validate(PluginConfig config) throws PluginConfigException {
        config.requireOnly();
    }

    @Override
    public SteeringPolicy create(PluginConfig config, PluginContext context) throws PluginConfigException {
        validate(config);
        return (flow, workers) -> pick(workers, flow.rssHash());
    }

    /** The worker a hash selects: its redirection-table entry if live, else a live worker by hash; 0 when none is live. */
    static int pick(WorkerSet workers, int hash) {
        int w = (hash & (TABLE_SIZE - 1)) % workers.size();
        if (workers.isLive(w)) return w;
        int live = workers.liveCount();
        return live == 0 ? 0 : workers.liveWorker(Integer.remainderUnsigned(hash, live));
    }
}
