package yastack.proxy.cluster;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import yastack.api.config.LbPolicyKind;

/** The built-in policies: round_robin, least_request, random, ring_hash, maglev. */
public final class LoadBalancers {
    private LoadBalancers() {}

    /** Per-cluster precomputation shared by workers (hash rings and maglev tables are immutable). */
    public static Shared prepare(LbPolicyKind kind, List<Endpoint> endpoints, int ringSize) {
        return switch (kind) {
            case RING_HASH -> new Shared(kind, endpoints, RingHash.build(endpoints, ringSize == 0 ? 1024 : ringSize), null);
            case MAGLEV -> new Shared(kind, endpoints, null, Maglev.build(endpoints, Maglev.DEFAULT_TABLE_SIZE));
            default -> new Shared(kind, endpoints, null, null);
        };
    }

    public record Shared(LbPolicyKind kind, List<Endpoint> endpoints, RingHash ring, int[] maglev) {
        /** A fresh per-worker balancer. */
        public LoadBalancer newWorkerBalancer(long seed) {
            int[] weights = endpoints.stream().mapToInt(Endpoint::weight).toArray();
            SplittableRandom random = new SplittableRandom(seed);
            return switch (kind) {
                case ROUND_ROBIN, UNRECOGNIZED -> new SmoothRoundRobin(weights, random.nextInt(weights.length * 8 + 1));
                case LEAST_REQUEST -> new LeastRequest(weights, random);
                case RANDOM -> new WeightedRandom(weights, random);
                case RING_HASH -> new HashedBalancer(ring::lookup, new WeightedRandom(weights, random), weights.length);
                case MAGLEV -> new HashedBalancer(h -> maglev[(int) Long.remainderUnsigned(h, maglev.length)],
                        new WeightedRandom(weights, random), weights.length);
            };
        }
    }

    /** nginx's smooth weighted round robin: spreads heavy endpoints evenly through the cycle. */
    static final class SmoothRoundRobin implements LoadBalancer {
        private final int[] weights;
        private final long[] current;

        SmoothRoundRobin(int[] weights, int warmup) {
            this.weights = weights;
            this.current = new long[weights.length];
            // Start each worker at a different point of the cycle so workers do not move in lockstep.
            boolean[] all = new boolean[weights.length];
            java.util.Arrays.fill(all, true);
            for (int i = 0; i < warmup; i++) pick(NO_HASH, all);
        }

        @Override
        public int pick(long hash, boolean[] healthy) {
            int best = -1;
            long total = 0;
            for (int i = 0; i < weights.length; i++) {
                if (!healthy[i]) continue;
                current[i] += weights[i];
                total += weights[i];
                if (best < 0 || current[i] > current[best]) best = i;
            }
            if (best >= 0) current[best] -= total;
            return best;
        }
    }

    /** Power of two choices on active requests scaled by weight (Envoy's least_request). */
    static final class LeastRequest implements LoadBalancer {
        private final int[] weights;
        private final int[] active;
        private final SplittableRandom random;
        private final WeightedRandom fallback;

        LeastRequest(int[] weights, SplittableRandom random) {
            this.weights = weights;
            this.active = new int[weights.length];
            this.random = random;
            this.fallback = new WeightedRandom(weights, random);
        }

        @Override
        public int pick(long hash, boolean[] healthy) {
            int a = fallback.pick(hash, healthy);
            if (a < 0) return -1;
            int b = fallback.pick(hash, healthy);
            if (a == b && weights.length > 1) b = random.nextInt(weights.length);
            if (!healthy[b]) return a;
            // Compare active/weight without division.
            long sa = (long) active[a] * weights[b];
            long sb = (long) active[b] * weights[a];
            return sb < sa ? b : a;
        }

        @Override
        public void onRequestStart(int index) {
            active[index]++;
        }

        @Override
        public void onRequestEnd(int index) {
            if (active[index] > 0) active[index]--;
        }
    }

    static final class WeightedRandom implements LoadBalancer {
        private final int[] weights;
        private final SplittableRandom random;

        WeightedRandom(int[] weights, SplittableRandom random) {
            this.weights = weights;
            this.random = random;
        }

        @Override
        public int pick(long hash, boolean[] healthy) {
            long total = 0;
            for (int i = 0; i < weights.length; i++) if (healthy[i]) total += weights[i];
            if (total == 0) return -1;
            long roll = random.nextLong(total);
            for (int i = 0; i < weights.length; i++) {
                if (!healthy[i]) continue;
                roll -= weights[i];
                if (roll < 0) return i;
            }
            return -1;
        }
    }

    /** Consistent hashing over a precomputed table; unhealthy picks walk to the next healthy endpoint. */
    static final class HashedBalancer implements LoadBalancer {
        interface Table { int lookup(long hash); }

        private final Table table;
        private final LoadBalancer noKey;
        private final int size;

        HashedBalancer(Table table, LoadBalancer noKey, int size) {
            this.table = table;
            this.noKey = noKey;
            this.size = size;
        }

        @Override
        public int pick(long hash, boolean[] healthy) {
            if (hash == NO_HASH) return noKey.pick(hash, healthy);
            int i = table.lookup(hash);
            if (healthy[i]) return i;
            // Rehash deterministically so a key keeps landing on the same healthy endpoint.
            long h = hash;
            for (int attempt = 0; attempt < size * 4; attempt++) {
                h = Hashing.mix(h + 1);
                i = table.lookup(h);
                if (healthy[i]) return i;
            }
            return noKey.pick(hash, healthy);
        }
    }

    /** Ketama-style ring: each endpoint gets replicas in proportion to its weight. */
    public static final class RingHash {
        private final long[] points;
        private final int[] owners;

        private RingHash(long[] points, int[] owners) {
            this.points = points;
            this.owners = owners;
        }

        static RingHash build(List<Endpoint> endpoints, int minRingSize) {
            long totalWeight = endpoints.stream().mapToLong(Endpoint::weight).sum();
            int size = 0;
            int[] replicas = new int[endpoints.size()];
            for (int i = 0; i < replicas.length; i++) {
                replicas[i] = (int) Math.max(1, Math.round((double) minRingSize * endpoints.get(i).weight() / totalWeight));
                size += replicas[i];
            }
            long[][] entries = new long[size][];
            int n = 0;
            for (int i = 0; i < replicas.length; i++) {
                for (int r = 0; r < replicas[i]; r++) {
                    entries[n++] = new long[] {Hashing.hash64(endpoints.get(i) + "_" + r), i};
                }
            }
            Arrays.sort(entries, (x, y) -> Long.compareUnsigned(x[0], y[0]));
            long[] points = new long[size];
            int[] owners = new int[size];
            for (int k = 0; k < size; k++) {
                points[k] = entries[k][0];
                owners[k] = (int) entries[k][1];
            }
            return new RingHash(points, owners);
        }

        int lookup(long hash) {
            int lo = 0, hi = points.length;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (Long.compareUnsigned(points[mid], hash) < 0) lo = mid + 1;
                else hi = mid;
            }
            return owners[lo == points.length ? 0 : lo];
        }
    }

    /** Maglev lookup table (Eisenbud et al.), weighted by letting heavier endpoints fill more often. */
    static final class Maglev {
        static final int DEFAULT_TABLE_SIZE = 65537;

        private Maglev() {}

        static int[] build(List<Endpoint> endpoints, int m) {
            int n = endpoints.size();
            long[] offset = new long[n];
            long[] skip = new long[n];
            long[] next = new long[n];
            double[] progress = new double[n];
            int maxWeight = endpoints.stream().mapToInt(Endpoint::weight).max().orElse(1);
            for (int i = 0; i < n; i++) {
                long h = Hashing.hash64(endpoints.get(i).toString());
                offset[i] = Long.remainderUnsigned(h, m);
                skip[i] = Long.remainderUnsigned(Hashing.mix(h ^ 0x5bd1e995L), m - 1) + 1;
            }
            int[] table = new int[m];
            Arrays.fill(table, -1);
            int filled = 0;
            while (filled < m) {
                for (int i = 0; i < n && filled < m; i++) {
                    progress[i] += (double) endpoints.get(i).weight() / maxWeight;
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
}
