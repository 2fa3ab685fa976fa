package yastack.proxy.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import yastack.api.config.Cluster;
import yastack.api.config.Endpoint;

/** Which endpoints a pick may use: Envoy's priority load over the levels' health, and panic. */
class WorkerHostsTest {
    /** A cluster with {@code priorities[i]} the level of endpoint i, and {@code down[i]} whether it fails its checks. */
    private static WorkerHosts hosts(int[] priorities, boolean... down) {
        Cluster.Builder c = Cluster.newBuilder().setName("c");
        for (int i = 0; i < priorities.length; i++) {
            c.addEndpoints(Endpoint.newBuilder().setAddress("10.0.0." + (i + 1)).setPort(80).setPriority(priorities[i]));
        }
        ClusterRuntime rt = new ClusterRuntime(c.build());
        for (int i = 0; i < down.length; i++) rt.endpoints().get(i).health().failedActiveCheck(down[i]);
        return new WorkerHosts(rt);
    }

    /** Over the 100 rolls, how many picks each level got; the last slot counts picks that mixed levels. */
    private static String shares(WorkerHosts h, int[] priorities) {
        int[] shares = new int[Arrays.stream(priorities).max().orElse(0) + 2];
        for (int roll = 0; roll < 100; roll++) {
            h.refresh(0, -1, roll);
            int level = -1;
            for (int i = 0; i < h.size(); i++) {
                if (h.usable(i)) level = level == -1 || level == priorities[i] ? priorities[i] : shares.length - 1;
            }
            shares[level]++;
        }
        return Arrays.toString(shares);
    }

    @Test
    void aHealthyEnoughFirstLevelTakesEverything() {
        int[] p = {0, 0, 0, 0, 0, 1};
        // 4 of 5 healthy: 80% x 1.4 is over 100%, so nothing spills
        assertEquals("[100, 0, 0]", shares(hosts(p, true, false, false, false, false), p));
    }

    @Test
    void whatTheFirstLevelCannotCarrySpillsToTheNext() {
        int[] p = {0, 0, 0, 0, 1, 1};
        // 2 of 4 healthy: 70% health, 30% to level 1
        assertEquals("[70, 30, 0]", shares(hosts(p, true, true, false, false, false, false), p));
        // none healthy at level 0: all to level 1
        assertEquals("[0, 100, 0]", shares(hosts(p, true, true, true, true, false, false), p));
    }

    @Test
    void levelsThatTogetherFallShortAreNormalized() {
        int[] p = {0, 0, 0, 0, 1, 1, 1, 1, 2, 2};
        // 1 of 4 at each of levels 0 and 1 (35% each), level 2 down: 50/50 between the two
        assertEquals("[50, 50, 0, 0]", shares(hosts(p, true, true, true, false, true, true, true, false, true, true), p));
    }

    @Test
    void withNoHealthyEndpointAnywhereEveryEndpointIsUsable() {
        WorkerHosts h = hosts(new int[] {0, 1}, true, true);
        h.refresh(0, -1, 42);
        assertEquals(2, h.usableCount(), "panic: balance over all of them");
    }

    @Test
    void endpointsTheControlPlaneCallsUnhealthyCountInTheirLevelAndDrainingOnesNowhere() {
        Cluster.Builder c = Cluster.newBuilder().setName("c");
        Endpoint.HealthStatus[] status = {Endpoint.HealthStatus.HEALTHY, Endpoint.HealthStatus.UNHEALTHY,
                Endpoint.HealthStatus.TIMEOUT, Endpoint.HealthStatus.UNKNOWN, Endpoint.HealthStatus.DRAINING,
                Endpoint.HealthStatus.DEGRADED};
        int[] levels = {0, 0, 0, 0, 0, 1};
        for (int i = 0; i < status.length; i++) {
            c.addEndpoints(Endpoint.newBuilder().setAddress("10.0.0." + (i + 1)).setPort(80).setPriority(levels[i]).setHealthStatus(status[i]));
        }
        ClusterRuntime rt = new ClusterRuntime(c.build());
        assertEquals(5, rt.endpoints().size(), "the draining endpoint is left out");
        assertEquals("healthy,failed_eds_health,failed_eds_health,healthy,healthy",
                String.join(",", rt.endpoints().stream().map(e -> e.health().state(0)).toList()));
        int[] p = {0, 0, 0, 0, 1};
        // 2 of 4 at level 0 healthy: 70% stays, 30% spills to the degraded (usable) endpoint at level 1
        assertEquals("[70, 30, 0]", shares(new WorkerHosts(rt), p));
    }

    @Test
    void aRetryAvoidsItsLastEndpointWithinTheChosenLevel() {
        WorkerHosts h = hosts(new int[] {0, 0, 1});
        h.refresh(0, 0, 0);
        assertEquals(1, h.usableCount());
        assertTrue(h.usable(1));
    }
}
