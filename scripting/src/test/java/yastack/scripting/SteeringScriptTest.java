package yastack.scripting;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import yastack.api.FlowKey;
import yastack.api.SteeringPolicy;
import yastack.api.testkit.TestWorkerSet;

class SteeringScriptTest {
    @TempDir
    Path dir;

    Scripts scripts;

    @BeforeEach
    void start() {
        scripts = new Scripts(dir);
    }

    @AfterEach
    void stop() throws Exception {
        scripts.close();
    }

    private static FlowKey tcp(int src, int sport, int dst, int dport) {
        return new FlowKey.Ipv4(6, src, sport, dst, dport);
    }

    @Test
    void steersEachNewFlowAvoidingDrainingWorkers() throws Exception {
        Fixtures.write(dir, "steer.js", """
                export function steer(flow, workers) {
                  // Port 443 goes to the last live worker; everything else by source port.
                  if (flow.dstPort === 443) return workers.live[workers.liveCount - 1];
                  if (flow.srcAddr === '10.0.0.66') return 99;            // not a worker: fallback
                  return workers.live[flow.srcPort % workers.liveCount];
                }
                """);
        SteeringPolicy p = scripts.steering(dir.resolve("steer.js"));
        TestWorkerSet workers = new TestWorkerSet(4);
        assertEquals(40001 % 4, p.selectWorker(tcp(0x0A000001, 40001, 0x0A000002, 80), workers));
        assertEquals(3, p.selectWorker(tcp(0x0A000001, 40001, 0x0A000002, 443), workers));
        workers.drain(3);
        assertEquals(2, p.selectWorker(tcp(0x0A000001, 40002, 0x0A000002, 443), workers), "new flows avoid a draining worker");
        assertEquals(3L, scripts.counter("script.steer.new_flows"), "steer() ran once per flow asked about");

        int fb = p.selectWorker(tcp(0x0A000042, 40003, 0x0A000002, 80), workers);
        assertTrue(workers.isLive(fb), "an invalid answer falls back to a live worker");
        assertEquals(1L, scripts.counter("script.steer.invalid_worker"));
    }

    @Test
    void throwingSteerFallsBackAndCounts() throws Exception {
        Fixtures.write(dir, "s.js", "export function steer(flow) { if (flow.srcPort === 1) throw new Error('x'); return 0; }\n");
        SteeringPolicy p = scripts.steering(dir.resolve("s.js"));
        TestWorkerSet workers = new TestWorkerSet(4).drain(2); // a fallback must not land on a drained worker
        int w = p.selectWorker(tcp(0, 1, 0, 0), workers);
        assertTrue(workers.isLive(w), "the fallback is a live worker, got " + w);
        assertEquals(1L, scripts.counter("script.s.errors"));
        assertEquals(0, p.selectWorker(tcp(0, 2, 0, 0), workers));
        assertEquals(1L, scripts.counter("script.s.errors"), "a flow the script places is not an error");
    }
}
