package yastack.kernel.dataplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import yastack.kernel.io.mem.MemorySwitch;
import yastack.kernel.io.rss.RedirectionTable;
import yastack.kernel.io.rss.Toeplitz;
import yastack.stack.TcpConnection;
import yastack.stack.TcpHandler;

/**
 * Outbound connections opened by a worker with {@link Dataplane#chooseLocalPort} get their
 * replies on that worker, in both RSS modes. With software RSS and the round-robin policy the
 * hash alone would not do: the distributor must learn the flow's owner from the claim.
 */
class LocalPortChoiceTest {
    static final int PEER = 0x0a000001, SERVER = 0x0a000002;

    @ParameterizedTest
    @CsvSource({"software,round-robin-new-flows", "software,toeplitz", "hardware,toeplitz"})
    void outboundFlowsStayOnTheirWorker(String mode, String steering) {
        MemorySwitch sw = new MemorySwitch();
        try (Rig rig = Rig.memory(sw, "m0", "10.0.0.2/24", 2, mode, steering);
             Peer peer = new Peer(sw, "peer", "10.0.0.1/24", 3)) {
            assertEquals(mode, rig.dp.rssMode("m0"));
            AtomicLong received = new AtomicLong();
            ByteBuffer sink = ByteBuffer.allocate(4096);
            peer.stack.listen(9000, 1024, c -> new TcpHandler() {
                @Override
                public void onReadable(TcpConnection conn) {
                    for (int n; (n = conn.read(sink.clear())) > 0; ) received.addAndGet(n);
                }
            });
            AtomicIntegerArray connected = new AtomicIntegerArray(2);
            AtomicIntegerArray wrongThread = new AtomicIntegerArray(2);
            List<int[]> ports = new ArrayList<>();
            int perWorker = 100;
            for (int w = 0; w < 2; w++) {
                int worker = w;
                Thread[] loop = new Thread[1];
                rig.onWorker(w, () -> {
                    loop[0] = Thread.currentThread();
                    TcpHandler h = new TcpHandler() {
                        @Override
                        public void onConnected(TcpConnection c) {
                            if (Thread.currentThread() != loop[0]) wrongThread.incrementAndGet(worker);
                            connected.incrementAndGet(worker);
                            c.write(ByteBuffer.wrap(new byte[32]));
                        }
                    };
                    for (int i = 0; i < perWorker; i++) {
                        int p = rig.dp.chooseLocalPort(worker, "m0", PEER, 9000);
                        assertTrue(p > 0, "no port");
                        ports.add(new int[] {worker, p});
                        rig.dp.shard(worker, "m0").connect(PEER, 9000, p, h);
                    }
                    return null;
                });
            }
            assertTrue(peer.pumpUntil(() -> received.get() >= 2L * perWorker * 32, 20_000),
                    "connected " + connected + ", peer received " + received.get());
            assertEquals(perWorker, connected.get(0));
            assertEquals(perWorker, connected.get(1));
            assertEquals(0, wrongThread.get(0) + wrongThread.get(1));
            assertEquals(0, rig.stats.value("stack.m0.tcp.drop.not_owned"));
            assertEquals(0, rig.stats.value("stack.m0.tcp.rst_sent"));
            if (!steering.startsWith("round-robin")) {
                // the hash of every reply flow itself points at the opening worker
                RedirectionTable reta = RedirectionTable.roundRobin(2);
                Toeplitz t = Toeplitz.symmetric();
                for (int[] wp : ports) {
                    assertEquals(wp[0], reta.queueOf(t.hashIpv4(PEER, SERVER, 9000, wp[1])), "port " + wp[1]);
                }
            }
        }
    }
}
