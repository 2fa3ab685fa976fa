package yastack.plugin.lb;

import java.util.SplittableRandom;
import yastack.api.HostSet;
import yastack.api.LoadBalancer;

/** {@code random}: a usable endpoint drawn in proportion to its weight. */
public final class RandomFactory extends NoConfigFactory {
    public RandomFactory() {
        super("random", "weighted random");
    }

    @Override
    LoadBalancer newBalancer() {
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
