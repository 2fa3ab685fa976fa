package yastack.plugin.lb;

import yastack.api.HostSet;
import yastack.api.LoadBalancer;

/**
 * {@code round_robin}: nginx's smooth weighted round robin, which spreads heavy endpoints
 * evenly through the cycle instead of sending them bursts. Each worker starts at its own
 * point of the cycle so workers do not move in lockstep.
 */
public final class RoundRobinFactory extends NoConfigFactory {
    public RoundRobinFactory() {
        super("round_robin", "smooth weighted round robin (nginx's)");
    }

    @Override
    LoadBalancer newBalancer() {
        return new SmoothRoundRobin();
    }

    static final class SmoothRoundRobin implements LoadBalancer {
        private int[] weights;
        private long[] current;

        @Override
        public int choose(HostSet hosts, LbContext context) {
            if (weights == null) start(hosts);
            int best = -1;
            long total = 0;
            for (int i = 0; i < weights.length; i++) {
                if (!hosts.usable(i)) continue;
                current[i] += weights[i];
                total += weights[i];
                if (best < 0 || current[i] > current[best]) best = i;
            }
            if (best >= 0) current[best] -= total;
            return best;
        }

        private void start(HostSet hosts) {
            weights = Weights.of(hosts);
            current = new long[weights.length];
            // Advance a random number of steps over all endpoints: this worker's place in the cycle.
            int steps = Weights.newRandom().nextInt(weights.length * 8 + 1);
            long total = 0;
            for (int w : weights) total += w;
            for (int s = 0; s < steps; s++) {
                int best = 0;
                for (int i = 0; i < weights.length; i++) {
                    current[i] += weights[i];
                    if (current[i] > current[best]) best = i;
                }
                current[best] -= total;
            }
        }
    }
}
