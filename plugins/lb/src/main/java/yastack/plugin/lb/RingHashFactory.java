package yastack.plugin.lb;

import java.util.Arrays;
import yastack.api.HostSet;
import yastack.api.Hashing;
import yastack.api.LoadBalancer;
import yastack.api.LoadBalancerFactory;
import yastack.api.PluginConfig;
import yastack.api.PluginConfigException;
import yastack.api.PluginContext;

/**
 * {@code ring_hash}: a Ketama-style ring where each endpoint has points in proportion to its
 * weight (at least {@code minimum_ring_size} in all, 1024 by default: the cluster's
 * {@code ring_size}).
 */
public final class RingHashFactory implements LoadBalancerFactory {
    static final int DEFAULT_RING_SIZE = 1024;

    @Override
    public String name() {
        return "ring_hash";
    }

    @Override
    public String description() {
        return "consistent hashing on a ring (Ketama)";
    }

    private static int ringSize(PluginConfig config) throws PluginConfigException {
        config.requireOnly("minimum_ring_size");
        long n = config.integer("minimum_ring_size", DEFAULT_RING_SIZE);
        if (n < 1 || n > 8_388_608) throw new PluginConfigException(config.path("minimum_ring_size") + ": must be in 1..8388608");
        return (int) n;
    }

    @Override
    public void validate(PluginConfig config) throws PluginConfigException {
        ringSize(config);
    }

    @Override
    public LoadBalancer create(PluginConfig config, PluginContext context) throws PluginConfigException {
        int size = ringSize(config);
        return new ConsistentHashing(new RingKey(size), hosts -> Ring.build(hosts, size));
    }

    private record RingKey(int minimumSize) {}

    static final class Ring implements ConsistentHashing.Table {
        private final long[] points;
        private final int[] owners;

        private Ring(long[] points, int[] owners) {
            this.points = points;
            this.owners = owners;
        }

        static Ring build(HostSet hosts, int minimumSize) {
            long totalWeight = 0;
            for (int i = 0; i < hosts.size(); i++) totalWeight += Math.max(1, hosts.host(i).weight());
            int[] replicas = new int[hosts.size()];
            int size = 0;
            for (int i = 0; i < replicas.length; i++) {
                replicas[i] = (int) Math.max(1, Math.round((double) minimumSize * Math.max(1, hosts.host(i).weight()) / totalWeight));
                size += replicas[i];
            }
            long[][] entries = new long[size][];
            int n = 0;
            for (int i = 0; i < replicas.length; i++) {
                String id = ConsistentHashing.id(hosts, i);
                for (int r = 0; r < replicas[i]; r++) entries[n++] = new long[] {Hashing.hash64(id + "_" + r), i};
            }
            Arrays.sort(entries, (x, y) -> Long.compareUnsigned(x[0], y[0]));
            long[] points = new long[size];
            int[] owners = new int[size];
            for (int k = 0; k < size; k++) {
                points[k] = entries[k][0];
                owners[k] = (int) entries[k][1];
            }
            return new Ring(points, owners);
        }

        @Override
        public int lookup(long hash) {
            int lo = 0, hi = points.length;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (Long.compareUnsigned(points[mid], hash) < 0) lo = mid + 1;
                else hi = mid;
            }
            return owners[lo == points.length ? 0 : lo];
        }
    }
}
