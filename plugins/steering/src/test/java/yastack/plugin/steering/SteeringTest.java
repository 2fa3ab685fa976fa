package yastack.plugin.steering;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import yastack.api.FlowKey;
import yastack.api.PluginConfig;
import yastack.api.PluginConfigException;
import yastack.api.SteeringPolicy;
import yastack.api.testkit.TestContext;
import yastack.api.testkit.TestWorkerSet;

/** The built-in steering policies, given flows with the RSS hash the distributor computes. */
class SteeringTest {
    /** Flows to port 80 with random sources and random (as Toeplitz makes them) hashes. */
    private static List<FlowKey.Ipv4> randomFlows(int n) {
        Random r = new Random(42);
        List<FlowKey.Ipv4> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(new FlowKey.Ipv4(6, r.nextInt(), 1024 + r.nextInt(60000), 0x0a000001, 80, r.nextInt()));
        return out;
    }

    @Test
    void toeplitzSpreadsByTheRedirectionTableOverLiveWorkersOnly() throws Exception {
        SteeringPolicy p = new ToeplitzSteeringFactory().create(PluginConfig.empty(), new TestContext("toeplitz"));
        TestWorkerSet workers = new TestWorkerSet(4);
        int[] count = new int[4];
        for (FlowKey.Ipv4 f : randomFlows(4000)) {
            int w = p.selectWorker(f, workers);
            assertEquals((f.rssHash() & 127) % 4, w, "a NIC's default table: entry i goes to worker i mod 4");
            assertEquals(w, p.selectWorker(f.reversed(), workers), "the reply direction has the same hash");
            count[w]++;
        }
        for (int c : count) assertTrue(c > 800 && c < 1200, Arrays.toString(count));
        workers.drain(2);
        int[] after = new int[4];
        for (FlowKey.Ipv4 f : randomFlows(3000)) after[p.selectWorker(f, workers)]++;
        assertEquals(0, after[2], "no new flow goes to a draining worker");
        for (int w : new int[] {0, 1, 3}) assertTrue(after[w] > 800, "the others share them: " + Arrays.toString(after));
    }

    @Test
    void roundRobinRotatesNewFlowsOverLiveWorkers() throws Exception {
        TestContext ctx = new TestContext("round-robin-new-flows");
        SteeringPolicy p = new RoundRobinNewFlowsFactory().create(PluginConfig.empty(), ctx);
        TestWorkerSet workers = new TestWorkerSet(3);
        List<Integer> got = new ArrayList<>();
        for (FlowKey.Ipv4 f : randomFlows(6)) got.add(p.selectWorker(f, workers));
        assertEquals(List.of(0, 1, 2, 0, 1, 2), got);
        workers.drain(1);
        for (FlowKey.Ipv4 f : randomFlows(20)) assertNotEquals(1, p.selectWorker(f, workers));
        assertEquals(26, ctx.stat("new_flows"));
    }

    @Test
    void neitherTakesOptions() {
        Struct extra = Struct.newBuilder().putFields("max_flows", Value.newBuilder().setNumberValue(2).build()).build();
        assertThrows(PluginConfigException.class, () -> new RoundRobinNewFlowsFactory().validate(PluginConfig.of(extra)));
        assertThrows(PluginConfigException.class, () -> new ToeplitzSteeringFactory().validate(PluginConfig.of(extra)));
    }
}
