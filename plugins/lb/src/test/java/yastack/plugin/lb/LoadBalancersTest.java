package yastack.plugin.lb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import yastack.api.Hashing;
import yastack.api.LoadBalancer;
import yastack.api.LoadBalancerFactory;
import yastack.api.PluginConfig;
import yastack.api.PluginConfigException;
import yastack.api.testkit.TestContext;
import yastack.api.testkit.TestHosts;
import yastack.api.testkit.TestLbContext;

/** The built-in balancers through the SPI a third-party balancer implements. */
class LoadBalancersTest {
    private static LoadBalancer create(LoadBalancerFactory f, PluginConfig c) throws PluginConfigException {
        return f.create(c, new TestContext(f.name()));
    }

    private static TestHosts hosts(int... weights) {
        TestHosts h = new TestHosts();
        for (int i = 0; i < weights.length; i++) h.add("10.0.0." + (i + 1), 80, weights[i]);
        return h;
    }

    private static int[] counts(LoadBalancer lb, TestHosts hosts, TestLbContext ctx, int picks) {
        int[] n = new int[hosts.size()];
        for (int i = 0; i < picks; i++) n[lb.choose(hosts, ctx)]++;
        return n;
    }

    @Test
    void roundRobinFollowsWeightsSmoothly() throws Exception {
        LoadBalancer lb = create(new RoundRobinFactory(), PluginConfig.empty());
        TestHosts hosts = hosts(5, 1, 1);
        TestLbContext ctx = new TestLbContext();
        int[] n = counts(lb, hosts, ctx, 700);
        assertEquals(500, n[0]);
        assertEquals(100, n[1]);
        assertEquals(100, n[2]);
        // Smooth: the cycle is a a b a c a a (nginx), so at most four in a row across two cycles, where
        // plain weighted round robin sends all five at once.
        int run = 0, longest = 0;
        for (int i = 0; i < 70; i++) {
            run = lb.choose(hosts, ctx) == 0 ? run + 1 : 0;
            longest = Math.max(longest, run);
        }
        assertTrue(longest <= 4, "longest run of the weight-5 endpoint: " + longest);
        hosts.host(0).usable(false);
        int[] without = counts(lb, hosts, ctx, 100);
        assertEquals(0, without[0]);
        assertTrue(Math.abs(without[1] - 50) <= 3, "the other two share evenly: " + without[1]);
    }

    @Test
    void leastRequestPrefersFewerRequestsInFlight() throws Exception {
        LoadBalancer lb = create(new LeastRequestFactory(), PluginConfig.empty());
        TestHosts hosts = hosts(1, 1);
        hosts.host(0).active(10);
        int[] n = counts(lb, hosts, new TestLbContext(), 1000);
        assertTrue(n[1] > 700, "the idle endpoint wins most draws: " + n[1]);
        hosts.host(1).usable(false);
        assertEquals(1000, counts(lb, hosts, new TestLbContext(), 1000)[0]);
    }

    @Test
    void randomIsWeightedAndSkipsUnusable() throws Exception {
        LoadBalancer lb = create(new RandomFactory(), PluginConfig.empty());
        TestHosts hosts = hosts(3, 1, 1);
        hosts.host(2).usable(false);
        int[] n = counts(lb, hosts, new TestLbContext(), 4000);
        assertEquals(0, n[2]);
        assertTrue(n[0] > 2700 && n[0] < 3300, "3:1 of 4000: " + n[0]);
    }

    @Test
    void consistentHashingKeepsKeysOnTheirEndpoint() throws Exception {
        Struct ring = Struct.newBuilder().putFields("minimum_ring_size", Value.newBuilder().setNumberValue(512).build()).build();
        for (LoadBalancer lb : new LoadBalancer[] {create(new RingHashFactory(), PluginConfig.of(ring)),
                create(new MaglevFactory(), PluginConfig.empty())}) {
            TestHosts hosts = hosts(1, 1, 1, 1);
            Map<Long, Integer> placed = new HashMap<>();
            int[] spread = new int[4];
            for (int k = 0; k < 2000; k++) {
                long key = Hashing.hash64("user-" + k);
                int host = lb.choose(hosts, new TestLbContext().hashKey(key));
                placed.put(key, host);
                spread[host]++;
                assertEquals(host, lb.choose(hosts, new TestLbContext().hashKey(key)), "the same key, the same endpoint");
            }
            for (int s : spread) assertTrue(s > 300, "keys spread over every endpoint: " + Arrays.toString(spread));
            hosts.host(2).usable(false);
            int moved = 0;
            for (Map.Entry<Long, Integer> e : placed.entrySet()) {
                int now = lb.choose(hosts, new TestLbContext().hashKey(e.getKey()));
                assertNotEquals(2, now);
                if (e.getValue() != 2 && now != e.getValue()) moved++;
            }
            assertEquals(0, moved, "only the keys of the endpoint that left move");
            assertEquals(1, hosts.sharedComputations(), "one table for the endpoint set, not one per pick");
            // Without a key the balancer still answers, by weight, among the usable endpoints only.
            int[] unkeyed = counts(lb, hosts, new TestLbContext(), 3000);
            assertEquals(0, unkeyed[2], "the unusable endpoint is never picked");
            for (int h : new int[] {0, 1, 3}) {
                assertTrue(Math.abs(unkeyed[h] - 1000) <= 200, "equal weights share evenly: " + java.util.Arrays.toString(unkeyed));
            }
        }
    }

    @Test
    void configIsChecked() {
        assertThrows(PluginConfigException.class, () -> new RoundRobinFactory().validate(
                PluginConfig.of(Struct.newBuilder().putFields("x", Value.newBuilder().setBoolValue(true).build()).build())));
        PluginConfigException e = assertThrows(PluginConfigException.class, () -> new RingHashFactory().validate(PluginConfig.of(
                Struct.newBuilder().putFields("minimum_ring_size", Value.newBuilder().setNumberValue(0).build()).build())));
        assertEquals("config.minimum_ring_size: must be in 1..8388608", e.getMessage());
    }
}
