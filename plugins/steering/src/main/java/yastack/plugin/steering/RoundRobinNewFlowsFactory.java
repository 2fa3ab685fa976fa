package yastack.plugin.steering;

import yastack.api.FlowKey;
import yastack.api.PluginConfig;
import yastack.api.PluginConfigException;
import yastack.api.PluginContext;
import yastack.api.PluginStats;
import yastack.api.SteeringPolicy;
import yastack.api.SteeringPolicyFactory;
import yastack.api.WorkerSet;

/**
 * {@code round-robin-new-flows}: each new flow goes to the next live worker in turn,
 * whatever its hash. Evens out load when a few heavy flows would hash together; every packet
 * of a placed flow keeps going to its worker, because the distributor remembers it.
 */
public final class RoundRobinNewFlowsFactory implements SteeringPolicyFactory {
    @Override
    public String name() {
        return "round-robin-new-flows";
    }

    @Override
    public String description() {
        return "new flows to live workers in turn";
    }

    @Override
    public void validate(PluginConfig config) throws PluginConfigException {
        config.requireOnly();
    }

    @Override
    public SteeringPolicy create(PluginConfig config, PluginContext context) throws PluginConfigException {
        validate(config);
        PluginStats.Counter newFlows = context.stats().counter("new_flows");
        return new SteeringPolicy() {
            private int next;

            @Override
            public int selectWorker(FlowKey flow, WorkerSet workers) {
                int live = workers.liveCount();
                if (live == 0) return 0;
                newFlows.inc();
                return workers.liveWorker(Integer.remainderUnsigned(next++, live));
            }
        };
    }
}
