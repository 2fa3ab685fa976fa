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
 * {@code round-robin-new-flows}: each new flow goes to the next live worker in
 * turn, and every packet of a known flow (either direction) goes where the
 * flow went first, also while that worker drains. Evens out load when a few
 * flows would hash together.
 *
 * <pre>config: {max_flows: 1000000}</pre>
 */
public final class RoundRobinNewFlowsFactory implements SteeringPolicyFactory {
    @Override
    public String name() {
        return "round-robin-new-flows";
    }

    @Override
    public String description() {
        return "new flows to live workers in turn; known flows stay on their worker";
    }

    static int maxFlows(PluginConfig c) throws PluginConfigException {
        long max = c.integer("max_flows", 1_000_000);
        if (max < 1 || max > 100_000_000) throw new PluginConfigException(c.path("max_flows") + ": must be in 1..100000000");
        return (int) max;
    }

    @Override
    public void validate(PluginConfig config) throws PluginConfigException {
        config.requireOnly("max_flows");
        maxFlows(config);
    }

    @Override
    public SteeringPolicy create(PluginConfig config, PluginContext context) throws PluginConfigException {
        validate(config);
        FlowTable table = new FlowTable(maxFlows(config));
        PluginStats.Counter newFlows = context.stats().counter("new_flows");
        PluginStats.Gauge tracked = context.stats().gauge("flows");
        return new SteeringPolicy() {
            private int next;

            @Override
            public int selectWorker(FlowKey flow, WorkerSet workers) {
                FlowKey.Ipv4 key = FlowTable.canonical(flow);
                int w = table.get(key);
                if (w >= 0 && w < workers.size()) return w;
                int live = workers.liveCount();
                if (live == 0) return 0;
                w = workers.liveWorker(Integer.remainderUnsigned(next++, live));
                table.put(key, w);
                newFlows.inc();
                tracked.set(table.size());
                return w;
            }

            @Override
            public void onFlowClosed(FlowKey flow) {
                table.remove(flow);
                tracked.set(table.size());
            }
        };
    }
}
