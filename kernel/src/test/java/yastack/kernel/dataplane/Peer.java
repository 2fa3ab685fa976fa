package yastack.kernel.dataplane;

import java.util.function.BooleanSupplier;
import yastack.kernel.io.MacAddress;
import yastack.kernel.io.RxBatch;
import yastack.kernel.io.mem.MemoryPort;
import yastack.kernel.io.mem.MemorySwitch;
import yastack.kernel.stats.StatsStore;
import yastack.stack.Clock;
import yastack.stack.NetStack;
import yastack.stack.StackConfig;

/** The far end of an in-memory link: one NetStack on a one-queue switch port, driven by the test thread. */
final class Peer implements AutoCloseable {
    final MemoryPort port;
    final NetStack stack;
    private final RxBatch rx;
    private final TxSink sink;

    Peer(MemorySwitch sw, String name, String cidrAddress, long seed) {
        port = sw.attach(name, MacAddress.randomLocal(), 1, 1500, 8192);
        rx = port.newRxBatch();
        sink = new TxSink(port.newTxBatch(0), new WorkerCounters(new StatsStore(1).worker(0), 0));
        String[] a = cidrAddress.split("/");
        stack = new NetStack(new StackConfig().mac(port.mac().bits()).address(a[0], Integer.parseInt(a[1]))
                .randomSeed(seed).synCookies(false), Clock.SYSTEM, sink);
    }

    /** One round: everything received, then timers and flush. */
    int pump() {
        int total = 0;
        for (int n; (n = port.receiveBurst(0, rx)) > 0; ) {
            for (int i = 0; i < n; i++) {
                stack.input(rx.frame(i), rx.length(i));
            }
            rx.release();
            total += n;
        }
        stack.poll(System.nanoTime());
        return total;
    }

    /** Pumps until {@code done} or the time limit; returns whether it became true. */
    boolean pumpUntil(BooleanSupplier done, long timeoutMillis) {
        long end = System.nanoTime() + timeoutMillis * 1_000_000L;
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > end) {
                return false;
            }
            if (pump() == 0) {
                Thread.onSpinWait();
            }
        }
        return true;
    }

    @Override
    public void close() {
        rx.release();
        sink.close();
        port.close();
    }
}
