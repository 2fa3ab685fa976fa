package yastack.plugin.lb;

import java.util.SplittableRandom;
import yastack.api.HostSet;
import yastack.api.LoadBalancer;
import yastack.api.LoadBalancerFactory;
import yastack.api.PluginConfig;
import yastack.api.PluginConfigException;
import yastack.api.PluginContext;

/** {@code random}: a usable endpoint drawn in proportion to its weight. */
public final class RandomFactory implements LoadBalancerFactory {
    @Override
    public String name() {
        return "random";
    }

    @Override
    public String description() {
        return "weighted random";
    }

    @Override
    public void validate(PluginConfig config) throws PluginConfigException {
        config.requireOnly();
    }

    @Override
    public LoadBalancer create(PluginConfig config, PluginContext context) throws PluginConfigException {
        validate(config);
        SplittableRandom random = Weights.newRandom();
        return new LoadBalancer() {
            private int[] weights;

            @Override
            public int choose(HostSet hosts, LbContext context) {
                if (weights == null) weights = Weights.of(hosts);
                return Weights.pick(hosts, weights, random);
            }
        };
    }
}
