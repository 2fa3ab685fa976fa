package yastack.plugin.steering;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import yastack.api.FlowKey;
import yastack.api.PluginConfig;
import yastack.api.SteeringPolicy;
import yastack.api.testkit.TestContext;
import yastack.api.testkit.TestWorkerSet;

class SteeringTest {
    private static final String MS_KEY = "6d5a56da255b0ec24167253d43a38fb0d0ca2bcbae7b30b477cb2da38030f20c6a42b73bbeac01fa";

    private static int ip(int a, int b, int c, int d) {
        return (a << 24) | (b << 16) | (c << 8) | d;
    }

    private static FlowKey.Ipv4 tcp(int src, int sport, int dst, int dport) {
        return new FlowKey.Ipv4(6, src, sport, dst, dport);
    }

    private static List<FlowKey.Ipv4> randomFlows(int n) {
        Random r = new Random(42);
        List<FlowKey.Ipv4> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(tcp(r.nextInt(), 1024 + r.nextInt(60000), ip(10, 0, 0, 1), 80));
        return out;
    }

    @Test
    void toeplitzMatchesTheMicrosoftRssVerificationVectors() {
        Toeplitz t = Toeplitz.parse(MS_KEY);
        assertEquals(0x51ccc178, t.hash(ip(66, 9, 149, 187), ip(161, 142, 100, 80), 2794, 1766));
        assertEquals(0x323e8fc2, t.hashAddresses(ip(66, 9, 149, 187), ip(161, 142, 100, 80)));
        assertEquals(0xc626b0ea, t.hash(ip(199, 92, 111, 2), ip(65, 69, 140, 83), 14230, 4739));
        assertEquals(0xd718262a, t.hashAddresses(ip(199, 92, 111, 2), ip(65, 69, 140, 83)));
        assertEquals(0x5c2b394a, t.hash(ip(24, 19, 198, 95), ip(12, 22, 207, 184), 12898, 38024));
    }

    @Test
    void symmetricKeyHashesBothDirectionsAlike() {
        Toeplitz t = new Toeplitz(Toeplitz.SYMMETRIC_KEY);
        for (FlowKey.Ipv4 f : randomFlows(200)) assertEquals(t.hash(f), t.hash(f.reversed()));
    }

    @Test
    void toeplitzSpreadsFlowsOverLiveWorkersOnly() throws Exception {
        SteeringPolicy p = new ToeplitzSteeringFactory().create(PluginConfig.empty(), new TestContext("toeplitz"));
        TestWorkerSet workers = new TestWorkerSet(4);
        int[] count = new int[4];
        for (FlowKey.Ipv4 f : randomFlows(4000)) {
            int w = p.selectWorker(f, workers);
            assertEquals(w, p.selectWorker(f.reversed(), workers));
            count[w]++;
        }
        for (int c : count) assertTrue(c > 800 && c < 1200, java.util.Arrays.toString(count));
        workers.drain(2);
        for (FlowKey.Ipv4 f : randomFlows(1000)) assertNotEquals(2, p.selectWorker(f, workers));
    }

    @Test
    void roundRobinRotatesNewFlowsAndKeepsKnownOnes() throws Exception {
        TestContext ctx = new TestContext("round-robin-new-flows");
        SteeringPolicy p = new RoundRobinNewFlowsFactory().create(PluginConfig.empty(), ctx);
        TestWorkerSet workers = new TestWorkerSet(3);
        List<FlowKey.Ipv4> flows = randomFlows(6);
        List<Integer> got = new ArrayList<>();
        for (FlowKey.Ipv4 f : flows) got.add(p.selectWorker(f, workers));
        assertEquals(List.of(0, 1, 2, 0, 1, 2), got);
        assertEquals(1, p.selectWorker(flows.get(1).reversed(), workers), "the reply direction follows the flow");

        workers.drain(1);
        assertEquals(1, p.selectWorker(flows.get(1), workers), "a draining worker keeps its flows");
        for (FlowKey.Ipv4 f : randomFlows(20).subList(6, 20)) assertNotEquals(1, p.selectWorker(f, workers));

        p.onFlowClosed(flows.get(1));
        assertNotEquals(1, p.selectWorker(flows.get(1), workers), "a closed flow is new again");
        assertEquals(21, ctx.stat("new_flows"));
    }

    @Test
    void roundRobinForgetsTheOldestFlowsPastTheLimit() throws Exception {
        Struct cfg = Struct.newBuilder().putFields("max_flows", Value.newBuilder().setNumberValue(2).build()).build();
        TestContext ctx = new TestContext("round-robin-new-flows");
        SteeringPolicy p = new RoundRobinNewFlowsFactory().create(PluginConfig.of(cfg), ctx);
        TestWorkerSet workers = new TestWorkerSet(2);
        for (FlowKey.Ipv4 f : randomFlows(5)) p.selectWorker(f, workers);
        assertEquals(2, ctx.stat("flows"));
    }

    @Test
    void drainAwareKeepsExistingFlowsAndSendsNewOnesElsewhere() throws Exception {
        SteeringPolicy p = new DrainAwareSteeringFactory().create(PluginConfig.empty(), new TestContext("drain-aware"));
        SteeringPolicy stateless = new ToeplitzSteeringFactory().create(PluginConfig.empty(), new TestContext("toeplitz"));
        TestWorkerSet workers = new TestWorkerSet(4);
        List<FlowKey.Ipv4> before = randomFlows(400);
        int[] placed = new int[before.size()];
        for (int i = 0; i < before.size(); i++) {
            placed[i] = p.selectWorker(before.get(i), workers);
            assertEquals(stateless.selectWorker(before.get(i), workers), placed[i], "new flows are placed like toeplitz");
        }
        workers.drain(3);
        p.onWorkerDrain(3);
        int movedByStateless = 0;
        for (int i = 0; i < before.size(); i++) {
            assertEquals(placed[i], p.selectWorker(before.get(i), workers), "existing flow " + i + " stays put");
            if (stateless.selectWorker(before.get(i), workers) != placed[i]) movedByStateless++;
        }
        assertTrue(movedByStateless > 0, "plain toeplitz would have moved flows");
        Random r = new Random(7);
        for (int i = 0; i < 400; i++) {
            assertNotEquals(3, p.selectWorker(tcp(r.nextInt(), 2000 + i, ip(10, 0, 0, 2), 443), workers));
        }
        workers.undrain(3);
        boolean reached = false;
        for (int i = 0; i < 400 && !reached; i++) reached = p.selectWorker(tcp(r.nextInt(), 3000 + i, ip(10, 0, 0, 2), 443), workers) == 3;
        assertTrue(reached, "an undrained worker gets new flows again");
    }
}
