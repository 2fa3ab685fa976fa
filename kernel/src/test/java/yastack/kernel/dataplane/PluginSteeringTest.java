package yastack.kernel.dataplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import yastack.api.FlowKey;
import yastack.api.SteeringPolicy;
import yastack.api.WorkerSet;
import yastack.kernel.io.mem.MemorySwitch;

/** A plugin-layer {@link SteeringPolicy} placing new flows, and hearing about drains, in the distributor. */
class PluginSteeringTest {
    /** Everything to the last live worker; records what the distributor tells it, and on which thread. */
    static final class LastLive implements SteeringPolicy {
        final List<String> events = new CopyOnWriteArrayList<>();
        final Set<String> threads = ConcurrentHashMap.newKeySet();
        final Set<String> names = ConcurrentHashMap.newKeySet();

        @Override
        public int selectWorker(FlowKey flow, WorkerSet workers) {
            threads.add(Thread.currentThread().getName());
            assertEquals(6, flow.protocol());
            assertEquals(80, flow.destinationPort());
            return workers.liveWorker(workers.liveCount() - 1);
        }

        @Override
        public void onWorkerDrain(int worker) {
            events.add("drain " + worker);
        }

        @Override
        public void onWorkerUndrain(int worker) {
            events.add("undrain " + worker);
        }
    }

    @Test
    void pluginPolicyPlacesNewFlowsAndHearsAboutDrains() {
        MemorySwitch sw = new MemorySwitch();
        LastLive policy = new LastLive();
        try (Rig rig = Rig.memory(sw, "m0", "10.0.0.2/24", 2, "software", "last-live", 0, name -> {
                policy.names.add(name);
                return policy;
             });
             Peer peer = new Peer(sw, "peer", "10.0.0.1/24", 5)) {
            assertEquals(Set.of("last-live"), policy.names);
            Ledger ledger = new Ledger(2);
            ledger.listen(rig, "m0", 80);
            SoftwareRssTest.open(peer, 30);
            SoftwareRssTest.awaitBytes(peer, ledger, 30L * SoftwareRssTest.PAYLOAD);
            assertEquals(30, ledger.accepted.get(1));
            rig.dp.drain(1);
            SoftwareRssTest.open(peer, 30);
            SoftwareRssTest.awaitBytes(peer, ledger, 60L * SoftwareRssTest.PAYLOAD);
            assertEquals(30, ledger.accepted.get(0));
            assertEquals(List.of("drain 1"), policy.events);
            // the distributor runs on worker 0's loop: the policy is only ever called there
            assertEquals(1, policy.threads.size(), policy.threads.toString());
            assertTrue(policy.threads.iterator().next().startsWith("worker-"), policy.threads.toString());
        }
    }
}
