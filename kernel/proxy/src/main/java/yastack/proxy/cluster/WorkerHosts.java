package yastack.proxy.cluster;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import yastack.api.HostSet;
import yastack.api.UpstreamHost;

/**
 * A cluster's endpoints as one worker's load balancer sees them: which may be chosen for the
 * pick at hand, and this worker's requests in flight to each. One per cluster and worker,
 * refreshed before each pick and never copied, so picking allocates nothing.
 *
 * <p>Endpoints at several priority levels are picked as Envoy picks them: each level's health
 * is its healthy share times the overprovisioning factor (1.4), capped at 100%; level 0 takes
 * as much of the load as its health, the next level the next part, and so on (normalized when
 * the levels' health adds up to less than 100%). Each pick rolls for a level, and only that
 * level's healthy endpoints are usable for it, so a balancer needs to know nothing of levels.
 */
public final class WorkerHosts implements HostSet {
    /** Envoy's default overprovisioning factor, in percent. */
    static final int OVERPROVISIONING_PERCENT = 140;

    private final ClusterRuntime cluster;
    private final List<Endpoint> endpoints;
    private final Host[] hosts;
    private final boolean[] usable;
    private int usableCount;
    /** Per endpoint, its priority level; per level, how many endpoints it has (one entry: no levels to pick). */
    private final int[] level;
    private final int[] levelSize;
    /** Per level, scratch for one pick: healthy endpoints, then health in percent, then share of the load. */
    private final int[] healthyInLevel;
    private final int[] levelLoad;

    public WorkerHosts(ClusterRuntime cluster) {
        this.cluster = cluster;
        this.endpoints = cluster.endpoints();
        this.hosts = new Host[endpoints.size()];
        for (int i = 0; i < hosts.length; i++) hosts[i] = new Host(endpoints.get(i));
        this.usable = new boolean[hosts.length];
        this.level = new int[hosts.length];
        int levels = 1;
        for (int i = 0; i < hosts.length; i++) {
            level[i] = endpoints.get(i).priority();
            levels = Math.max(levels, level[i] + 1);
        }
        this.levelSize = new int[levels];
        for (int l : level) levelSize[l]++;
        this.healthyInLevel = new int[levels];
        this.levelLoad = new int[levels];
    }

    /**
     * Marks the healthy endpoints usable; all of them when none is (Envoy's panic mode); and
     * not {@code avoid} (a retry's last endpoint, or -1) while another one is usable.
     */
    public void refresh(long nowNanos, int avoid) {
        refresh(nowNanos, avoid, levelSize.length > 1 ? ThreadLocalRandom.current().nextInt(100) : 0);
    }

    /** Whether the endpoints are at more than one priority level (then a roll picks the level). */
    public boolean hasLevels() {
        return levelSize.length > 1;
    }

    /** As {@link #refresh(long, int)}, with the roll (0..99) that picks the priority level. */
    public void refresh(long nowNanos, int avoid, int roll) {
        int n = 0;
        for (int i = 0; i < usable.length; i++) {
            usable[i] = endpoints.get(i).health().healthy(nowNanos);
            if (usable[i]) n++;
        }
        if (n == 0) {
            Arrays.fill(usable, true);
            n = usable.length;
        } else if (levelSize.length > 1) {
            n = keepLevel(pickLevel(roll));
        }
        if (avoid >= 0 && usable[avoid] && n > 1) {
            usable[avoid] = false;
            n--;
        }
        usableCount = n;
    }

    /**
     * The level whose share of the load {@code roll} (0..99) falls in, from the usable (healthy)
     * endpoints; -1 when rounding leaves every level at 0% health (a healthy endpoint or two
     * among hundreds), and then every healthy endpoint stays usable.
     */
    private int pickLevel(int roll) {
        Arrays.fill(healthyInLevel, 0);
        for (int i = 0; i < usable.length; i++) {
            if (usable[i]) healthyInLevel[level[i]]++;
        }
        int total = 0;
        for (int l = 0; l < levelSize.length; l++) {
            int health = levelSize[l] == 0 ? 0 : Math.min(100, OVERPROVISIONING_PERCENT * healthyInLevel[l] / levelSize[l]);
            levelLoad[l] = health;
            total += health;
        }
        if (total == 0) return -1;
        int normalized = Math.min(100, total), assigned = 0, first = -1;
        for (int l = 0; l < levelLoad.length; l++) {
            levelLoad[l] = Math.min(100 - assigned, levelLoad[l] * 100 / normalized);
            assigned += levelLoad[l];
            if (first < 0 && levelLoad[l] > 0) first = l;
        }
        // What the integer shares leave goes to the first level that has any, as Envoy does.
        if (first < 0) first = 0;
        levelLoad[first] += 100 - assigned;
        for (int l = 0, upTo = 0; l < levelLoad.length; l++) {
            upTo += levelLoad[l];
            if (roll < upTo) return l;
        }
        return first;
    }

    /** Only the healthy endpoints of {@code chosen} stay usable (all healthy ones for -1); how many. */
    private int keepLevel(int chosen) {
        int n = 0;
        for (int i = 0; i < usable.length; i++) {
            if (usable[i] && chosen >= 0 && level[i] != chosen) usable[i] = false;
            if (usable[i]) n++;
        }
        return n;
    }

    public void requestStarted(int index) {
        hosts[index].active++;
    }

    public void requestEnded(int index) {
        if (hosts[index].active > 0) hosts[index].active--;
    }

    @Override
    public int size() {
        return hosts.length;
    }

    @Override
    public UpstreamHost host(int index) {
        return hosts[index];
    }

    @Override
    public boolean usable(int index) {
        return usable[index];
    }

    @Override
    public int usableCount() {
        return usableCount;
    }

    @Override
    public <T> T shared(Object key, Function<HostSet, T> compute) {
        // Looked up first, so a pick allocates no lambda once the value exists.
        T known = cluster.sharedIfPresent(key);
        return known != null ? known : cluster.shared(key, () -> compute.apply(this));
    }

    private static final class Host implements UpstreamHost {
        private final Endpoint endpoint;
        int active;

        Host(Endpoint endpoint) {
            this.endpoint = endpoint;
        }

        @Override public String address() { return endpoint.host(); }
        @Override public int port() { return endpoint.port(); }
        @Override public int weight() { return endpoint.weight(); }
        @Override public int activeRequests() { return active; }
    }
}
