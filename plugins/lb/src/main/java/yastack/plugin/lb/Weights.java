package yastack.plugin.lb;

import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import yastack.api.HostSet;

/** What every balancer here shares: endpoint weights read once, and a random source per balancer. */
final class Weights {
    private static final AtomicLong SEEDS = new AtomicLong(System.nanoTime());

    private Weights() {}

    static int[] of(HostSet hosts) {
        int[] w = new int[hosts.size()];
        for (int i = 0; i < w.length; i++) w[i] = Math.max(1, hosts.host(i).weight());
        return w;
    }

    /** A random source of its own for each balancer, so workers do not draw in lockstep. */
    static SplittableRandom newRandom() {
        return new SplittableRandom(SEEDS.addAndGet(0x9E3779B97F4A7C15L));
    }

    /** A usable endpoint drawn in proportion to its weight, or -1 when none is usable. */
    static int pick(HostSet hosts, int[] weights, SplittableRandom random) {
        long total = 0;
        for (int i = 0; i < weights.length; i++) if (hosts.usable(i)) total += weights[i];
        if (total == 0) return -1;
        long roll = random.nextLong(total);
        for (int i = 0; i < weights.length; i++) {
            if (!hosts.usable(i)) continue;
            roll -= weights[i];
            if (roll < 0) return i;
        }
        return -1;
    }
}
