package yastack.plugin.steering;

import yastack.api.PluginConfig;
import yastack.api.PluginConfigException;
import yastack.api.PluginContext;
import yastack.api.SteeringPolicy;
import yastack.api.SteeringPolicyFactory;
import yastack.api.WorkerSet;

/**
 * {@code toeplitz}: what a NIC does in hardware. The symmetric Toeplitz hash of
 * the 5-tuple picks one of the live workers; stateless, so when the live set
 * changes some existing flows move (use {@code drain-aware} to keep them).
 *
 * <pre>config: {key: "6d5a6d5a...", ports: true}   # both optional</pre>
 */
public final class ToeplitzSteeringFactory implements SteeringPolicyFactory {
    @Override
    public String name() {
        return "toeplitz";
    }

    @Override
    public String description() {
        return "symmetric Toeplitz hash of the 5-tuple over the live workers (stateless)";
    }

    static Toeplitz hash(PluginConfig c) throws PluginConfigException {
        String hex = c.string("key", "");
        if (hex.isEmpty()) return new Toeplitz(Toeplitz.SYMMETRIC_KEY);
        try {
            return Toeplitz.parse(hex);
        } catch (IllegalArgumentException e) {
            throw new PluginConfigException(c.path("key") + ": not a hex key of at least 16 bytes: " + e.getMessage());
        }
    }

    @Override
    public void validate(PluginConfig config) throws PluginConfigException {
        config.requireOnly("key", "ports");
        hash(config);
    }

    @Override
    public SteeringPolicy create(PluginConfig config, PluginContext context) throws PluginConfigException {
        validate(config);
        Toeplitz t = hash(config);
        boolean ports = config.bool("ports", true);
        return (flow, workers) -> pick(workers, ports ? t.hash(flow) : t.hashAddresses(flow.sourceAddress(), flow.destinationAddress()));
    }

    /** The live worker a hash selects; worker 0 when none is live. */
    static int pick(WorkerSet workers, int hash) {
        int live = workers.liveCount();
        return live == 0 ? 0 : workers.liveWorker(Integer.remainderUnsigned(hash, live));
    }
}
