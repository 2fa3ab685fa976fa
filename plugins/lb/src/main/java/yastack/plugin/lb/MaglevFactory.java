package yastack.plugin.lb;

import java.util.Arrays;
import yastack.api.HostSet;
import yastack.api.Hashing;
import yastack.api.LoadBalancer;

/**
 * {@code maglev}: the Maglev lookup table (Eisenbud et al.), 65537 entries, weighted by
 * letting heavier endpoints fill their preferred slots more often.
 */
public final class MaglevFactory extends NoConfigFactory {
    static final int TABLE_SIZE = 65537;
    private static final Object TABLE_KEY = new Object();

    public MaglevFactory() {
        super("maglev", "consistent hashing with a Maglev table");
    }

    @Override
    LoadBalancer newBalancer() {
        return new ConsistentHashing(TABLE_KEY, hosts -> {
            int[] table = build(hosts, TABLE_SIZE);
            return hash -> table[(int) Long.remainderUnsigned(hash, table.length)];
        });
    }

    static int[] build(HostSet hosts, int m) {
        int n = hosts.size();
        long[] offset = new long[n];
        long[] skip = new long[n];
        long[] next = new long[n];
        double[] progress = new double[n];
        int maxWeight = 1;
        for (int i = 0; i < n; i++) maxWeight = Math.max(maxWeight, hosts.host(i).weight());
        for (int i = 0; i < n; i++) {
            long h = Hashing.hash64(ConsistentHashing.id(hosts, i));
            offset[i] = Long.remainderUnsigned(h, m);
            skip[i] = Long.remainderUnsigned(Hashing.mix(h ^ 0x5bd1e995L), m - 1) + 1;
        }
        int[] table = new int[m];
        Arrays.fill(table, -1);
        int filled = 0;
        while (filled < m) {
            for (int i = 0; i < n && filled < m; i++) {
                progress[i] += (double) Math.max(1, hosts.host(i).weight()) / maxWeight;
                if (progress[i] < 1.0) continue;
                progress[i] -= 1.0;
                int slot;
                do {
                    slot = (int) ((offset[i] + next[i] * skip[i]) % m);
                    next[i]++;
                } while (table[slot] >= 0);
                table[slot] = i;
                filled++;
            }
        }
        return table;
    }
}
