package yastack.plugin.lb;

import java.util.SplittableRandom;
import yastack.api.HostSet;
import yastack.api.LoadBalancer;

/**
 * {@code least_request}: Envoy's power of two choices — two endpoints drawn by weight, the one
 * with fewer requests in flight (from this worker) per unit of weight wins.
 */
public final class LeastRequestFactory extends NoConfigFactory {
    public LeastRequestFactory() {
        super("least_request", "power of two choices on requests in flight per weight (Envoy's)");
    }

    @Override
    LoadBalancer newBalancer() {
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
