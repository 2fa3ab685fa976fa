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
 * {@code drain-aware}: new flows are placed by the symmetric Toeplitz hash over
 * the live workers (like {@code toeplitz}), and every known flow stays on the
 * worker it started on, so draining a worker sends it no new flows while its
 * existing connections finish there, and undraining changes no existing flow.
 *
 * <pre>config: {max_flows: 1000000, key: "6d5a..."}</pre>
 */
public final class DrainAwareSteeringFactory implements SteeringPolicyFactory {
    @Override
    public String name() {
        return "drain-aware";
    }

    @Override
    public String description() {
        return "Toeplitz placement of new flows; known flows stay put while their worker drains";
    }

    @Override
    public void validate(PluginConfig config) throws PluginConfigException {
        config.requireOnly("max_flows", "key");
        RoundRobinNewFlowsFactory.maxFlows(config);
        ToeplitzSteeringFactory.hash(config);
    }

    @Override
    public SteeringPolicy create(PluginConfig config, PluginContext context) throws PluginConfigException {
        validate(config);
        FlowTable table = new FlowTable(RoundRobinNewFlowsFactory.maxFlows(config));
        Toeplitz hash = ToeplitzSteeringFactory.hash(config);
        PluginStats.Counter drains = context.stats().counter("drains");
        PluginStats.Gauge tracked = context.stats().gauge("flows");
        return new SteeringPolicy() {
            @Override
            public int selectWorker(FlowKey flow, WorkerSet workers) {
                FlowKey.Ipv4 key = FlowTable.canonical(flow);
                int w = table.get(key);
                if (w >= 0 && w < workers.size()) return w;
                w = ToeplitzSteeringFactory.pick(workers, hash.hash(flow));
                table.put(key, w);
                tracked.set(table.size());
                return w;
            }

            @Override
            public void onWorkerDrain(int worker) {
                drains.inc();
            }

            @Override
            public void onFlowClosed(FlowKey flow) {
                table.remove(flow);
                tracked.set(table.size());
            }
        };
    }
}
