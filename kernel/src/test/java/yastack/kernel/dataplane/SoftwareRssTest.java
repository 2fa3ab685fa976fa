package yastack.kernel.dataplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import yastack.kernel.io.mem.MemorySwitch;
import yastack.stack.TcpConnection;
import yastack.stack.TcpHandler;
import yastack.stack.TcpState;

/** Software RSS over the in-memory switch: spread, flow stickiness and draining, on real worker loops. */
class SoftwareRssTest {
    static final int SERVER = 0x0a000002;
    static final int PAYLOAD = 64;

    /** Opens {@code n} connections from the peer to port 80 and writes {@code PAYLOAD} bytes on each once connected. */
    static List<TcpConnection> open(Peer peer, int n) {
        List<TcpConnection> out = new ArrayList<>();
        TcpHandler h = new TcpHandler() {
            @Override
            public void onConnected(TcpConnection c) {
                c.write(ByteBuffer.wrap(new byte[PAYLOAD]));
            }
        };
        for (int i = 0; i < n; i++) {
            int port = peer.stack.pickEphemeralPort(SERVER, 80, null);
            out.add(peer.stack.connect(SERVER, 80, port, h));
            if (i % 50 == 49) peer.pump();
        }
        return out;
    }

    static void awaitBytes(Peer peer, Ledger ledger, long bytes) {
        assertTrue(peer.pumpUntil(() -> ledger.totalBytes.get() >= bytes, 20_000),
                "server got " + ledger.totalBytes.get() + " of " + bytes + " bytes");
    }

    @ParameterizedTest(name = "dispatch core {0}")
    @ValueSource(ints = {0, 1})
    void thousandFlowsSpreadEvenlyAndStayOnTheirWorker(int dispatchCore) {
        MemorySwitch sw = new MemorySwitch();
        try (Rig rig = Rig.memory(sw, "m0", "10.0.0.2/24", 2, "software", "toeplitz", dispatchCore);
             Peer peer = new Peer(sw, "peer", "10.0.0.1/24", 42)) {
            assertEquals("software", rig.dp.rssMode("m0"));
            assertEquals(dispatchCore > 0, Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals("dispatch")),
                    "a dispatch thread exactly when dispatch_core is set");
            Ledger ledger = new Ledger(2);
            ledger.listen(rig, "m0", 80);
            List<TcpConnection> conns = open(peer, 1000);
            awaitBytes(peer, ledger, 1000L * PAYLOAD);
            for (TcpConnection c : conns) assertEquals(TcpState.ESTABLISHED, c.state());
            int w0 = ledger.accepted.get(0), w1 = ledger.accepted.get(1);
            assertEquals(1000, w0 + w1);
            assertTrue(Math.abs(w0 - 500) <= 50 && Math.abs(w1 - 500) <= 50, "spread " + w0 + "/" + w1);
            // every flow on one worker: no flow accepted twice, every byte where its connection lives
            assertEquals(0, ledger.conflicts.get());
            assertEquals(1000, ledger.workerOf.size());
            ledger.bytesOf.values().forEach(b -> assertEquals(PAYLOAD, b.get()));
            assertEquals(w0, rig.dp.flowCount(0));
            assertEquals(w1, rig.dp.flowCount(1));
            assertEquals(0, rig.stats.value("stack.m0.tcp.rst_sent"));
            assertEquals(0, rig.stats.value("stack.m0.tcp.drop.no_socket"));
            assertTrue(rig.stats.value("worker.1.rx_packets") > 0 && rig.stats.value("worker.0.rx_packets") > 0);
            // both shards resolved the peer, although only worker 0 answers ARP requests
            for (int w = 0; w < 2; w++) {
                int worker = w;
                assertEquals(1, rig.onWorker(w, () -> rig.dp.shard(worker, "m0").arpTable().stream()
                        .filter(e -> e.address().equals("10.0.0.1") && e.resolved()).count()).intValue(), "worker " + w + " ARP");
            }
        }
    }

    @Test
    void drainingMovesNewFlowsAwayAndKeepsOldOnes() {
        MemorySwitch sw = new MemorySwitch();
        try (Rig rig = Rig.memory(sw, "m0", "10.0.0.2/24", 2, "software", "toeplitz");
             Peer peer = new Peer(sw, "peer", "10.0.0.1/24", 7)) {
            Ledger ledger = new Ledger(2);
            ledger.listen(rig, "m0", 80);
            List<TcpConnection> old = open(peer, 100);
            awaitBytes(peer, ledger, 100L * PAYLOAD);
            int oldOn1 = ledger.accepted.get(1);
            assertTrue(oldOn1 > 20, "worker 1 had " + oldOn1 + " of 100");

            assertTrue(rig.dp.drain(1));
            assertEquals(1, rig.stats.value("worker.1.drained"));
            open(peer, 200);
            awaitBytes(peer, ledger, 300L * PAYLOAD);
            assertEquals(oldOn1, ledger.accepted.get(1), "a drained worker got new flows");
            assertEquals(300 - oldOn1, ledger.accepted.get(0));
            // the drained worker's connections still work: more data lands there
            for (TcpConnection c : old) c.write(ByteBuffer.wrap(new byte[PAYLOAD]));
            awaitBytes(peer, ledger, 400L * PAYLOAD);
            for (TcpConnection c : old) {
                assertEquals(2L * PAYLOAD, ledger.bytesOf.get(c.localPort()).get());
            }
            assertEquals(oldOn1, rig.dp.flowCount(1));
            assertEquals(0, ledger.conflicts.get());

            assertTrue(rig.dp.undrain(1));
            open(peer, 100);
            awaitBytes(peer, ledger, 500L * PAYLOAD);
            assertTrue(ledger.accepted.get(1) > oldOn1 + 20, "undrained worker got " + (ledger.accepted.get(1) - oldOn1));
        }
    }
}
