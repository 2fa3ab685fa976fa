package yastack.plugin.lb;

import java.util.SplittableRandom;
import java.util.function.Function;
import yastack.api.HostSet;
import yastack.api.Hashing;
import yastack.api.LoadBalancer;

/**
 * A balancer over a table from hash to endpoint, built once per endpoint set and shared by
 * every worker. A key whose endpoint is not usable is rehashed, deterministically, so it
 * keeps landing on the same usable endpoint; a request without a key is balanced by weight.
 */
final class ConsistentHashing implements LoadBalancer {
    /** Endpoint of a 64-bit hash. */
    interface Table {
        int lookup(long hash);
    }

    private final Object tableKey;
    private final Function<HostSet, Table> build;
    private final SplittableRandom random = Weights.newRandom();
    private int[] weights;

    /** @param tableKey names the table in {@link HostSet#shared}: equal keys share one table */
    ConsistentHashing(Object tableKey, Function<HostSet, Table> build) {
        this.tableKey = tableKey;
        this.build = build;
    }

    @Override
    public int choose(HostSet hosts, LbContext context) {
        if (weights == null) weights = Weights.of(hosts);
        long hash = context.hashKey();
        if (hash == LbContext.NO_HASH_KEY) return Weights.pick(hosts, weights, random);
        Table table = hosts.shared(tableKey, build);
        int i = table.lookup(hash);
        if (hosts.usable(i)) return i;
        long h = hash;
        for (int attempt = 0; attempt < hosts.size() * 4; attempt++) {
            h = Hashing.mix(h + 1);
            i = table.lookup(h);
            if (hosts.usable(i)) return i;
        }
        return Weights.pick(hosts, weights, random);
    }

    /** How an endpoint is named when it is hashed onto a table: its address and port. */
    static String id(HostSet hosts, int i) {
        return hosts.host(i).address() + ":" + hosts.host(i).port();
    }
}
