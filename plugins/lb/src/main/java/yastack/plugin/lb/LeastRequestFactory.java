package yastack.plugin.lb;

import java.util.SplittableRandom;
import yastack.api.HostSet;
import yastack.api.LoadBalancer;
import yastack.api.LoadBalancerFactory;
import yastack.api.PluginConfig;
import yastack.api.PluginConfigException;
import yastack.api.PluginContext;

/**
 * {@code least_request}: Envoy's power of two choices — two endpoints drawn by weight, the one
 * with fewer requests in flight (from this worker) per unit of weight wins.
 */
public final class LeastRequestFactory implements LoadBalancerFactory {
    @Override
    public String name() {
        return "least_request";
    }

    @Override
    public String description() {
        return "power of two choices on requests in flight per weight (Envoy's)";
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
                int a = Weights.pick(hosts, weights, random);
                if (a < 0) return NO_HOST;
                int b = Weights.pick(hosts, weights, random);
                if (a == b && weights.length > 1) b = random.nextInt(weights.length);
                if (!hosts.usable(b)) return a;
                // Compare active/weight without division.
                long sa = (long) hosts.host(a).activeRequests() * weights[b];
                long sb = (long) hosts.host(b).activeRequests() * weights[a];
                return sb < sa ? b : a;
            }
        };
    }
}
