package yastack.scripting;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import yastack.api.FlowKey;
import yastack.api.WorkerSet;

class SteeringScriptTest {
    @TempDir
    Path dir;

    ScriptHost host;

    @BeforeEach
    void start() {
        host = Fixtures.host(dir);
    }

    @AfterEach
    void stop() {
        host.close();
    }

    /** Four workers, some draining. */
    static final class Workers implements WorkerSet {
        final boolean[] live = {true, true, true, true};

        public int size() { return live.length; }
        public boolean isLive(int w) { return live[w]; }
        public int liveCount() {
            int n = 0;
            for (boolean b : live) if (b) n++;
            return n;
        }
        public int liveWorker(int n) {
            for (int i = 0; i < live.length; i++) if (live[i] && n-- == 0) return i;
            throw new IndexOutOfBoundsException();
        }
    }

    /** A reused mutable key, as the distributor hands out. */
    static final class Flyweight implements FlowKey {
        int proto = 6, src, sport, dst, dport;

        public int protocol() { return proto; }
        public int sourceAddress() { return src; }
        public int sourcePort() { return sport; }
        public int destinationAddress() { return dst; }
        public int destinationPort() { return dport; }
    }

    @Test
    void steersOncePerNewFlowAndRemembersTheAnswer() {
        Fixtures.write(dir, "steer.js", """
                export function steer(flow, workers) {
                  // Port 443 goes to the last live worker; everything else by source port.
                  if (flow.dstPort === 443) return workers.live[workers.liveCount - 1];
                  if (flow.srcAddr === '10.0.0.66') return 99;            // not a worker: fallback
                  return workers.live[flow.srcPort % workers.liveCount];
                }
                """);
        ScriptSteeringPolicy p = host.steering(dir.resolve("steer.js"));
        Workers workers = new Workers();
        Flyweight f = new Flyweight();
        f.src = 0x0A000001;
        f.dst = 0x0A000002;
        f.sport = 40001;
        f.dport = 80;
        int w = p.selectWorker(f, workers);
        assertEquals(40001 % 4, w);
        for (int i = 0; i < 1000; i++) assertEquals(w, p.selectWorker(f, workers));
        assertEquals(1L, host.counters().get("script.steer.new_flows"), "JS ran once for 1001 packets of one flow");

        f.dport = 443;
        assertEquals(3, p.selectWorker(f, workers));
        workers.live[3] = false; // draining: existing flows stay, new ones avoid it
        assertEquals(3, p.selectWorker(f, workers));
        f.sport = 40002;
        assertEquals(2, p.selectWorker(f, workers));
        assertEquals(3L, host.counters().get("script.steer.new_flows"));

        p.onFlowClosed(f.copy());
        assertEquals(2, p.trackedFlows());
        p.selectWorker(f, workers);
        assertEquals(4L, host.counters().get("script.steer.new_flows"), "a closed flow is decided again");

        f.src = 0x0A000042;
        f.dport = 80;
        int fb = p.selectWorker(f, workers);
        assertTrue(workers.isLive(fb), "an invalid answer falls back to a live worker");
        assertEquals(1L, host.counters().get("script.steer.invalid_worker"));
    }

    @Test
    void throwingSteerFallsBackAndCounts() {
        Fixtures.write(dir, "s.js", "export function steer(flow) { if (flow.srcPort === 1) throw new Error('x'); return 0; }\n");
        ScriptSteeringPolicy p = host.steering(dir.resolve("s.js"));
        Workers workers = new Workers();
        workers.live[2] = false; // drained: a fallback must not land there
        Flyweight f = new Flyweight();
        f.sport = 1;
        int w = p.selectWorker(f, workers);
        assertTrue(workers.isLive(w), "the fallback is a live worker, got " + w);
        assertEquals(1L, host.counters().get("script.s.errors"));
        assertEquals(w, p.selectWorker(f, workers), "the flow stays where the fallback put it");
        assertEquals(1L, host.counters().get("script.s.errors"), "without asking the script again");
        f.sport = 2;
        assertEquals(0, p.selectWorker(f, workers));
    }
}
