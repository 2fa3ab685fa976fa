package yastack.kernel.dataplane;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import yastack.stack.TcpConnection;
import yastack.stack.TcpHandler;

/**
 * A listener on every worker's shard that records, per remote port, which worker accepted the
 * connection and how many bytes arrived there, and notices a flow showing up on two workers.
 */
final class Ledger {
    final AtomicIntegerArray accepted;
    final Map<Integer, Integer> workerOf = new ConcurrentHashMap<>();
    final Map<Integer, AtomicLong> bytesOf = new ConcurrentHashMap<>();
    final AtomicLong totalBytes = new AtomicLong();
    final AtomicInteger conflicts = new AtomicInteger();

    Ledger(int workers) {
        accepted = new AtomicIntegerArray(workers);
    }

    void listen(Rig rig, String iface, int port) {
        for (int w = 0; w < rig.dp.workerCount(); w++) {
            int worker = w;
            rig.onWorker(w, () -> rig.dp.shard(worker, iface).listen(port, 4096, c -> accept(worker, c)));
        }
    }

    private TcpHandler accept(int worker, TcpConnection c) {
        accepted.incrementAndGet(worker);
        Integer before = workerOf.putIfAbsent(c.remotePort(), worker);
        if (before != null && before != worker) conflicts.incrementAndGet();
        AtomicLong bytes = bytesOf.computeIfAbsent(c.remotePort(), p -> new AtomicLong());
        ByteBuffer buf = ByteBuffer.allocate(4096);
        return new TcpHandler() {
            @Override
            public void onReadable(TcpConnection conn) {
                for (int n; (n = conn.read(buf.clear())) > 0; ) {
                    bytes.addAndGet(n);
                    totalBytes.addAndGet(n);
                }
            }
        };
    }
}
