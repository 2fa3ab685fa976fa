package yastack.kernel.dataplane;

import java.lang.foreign.MemorySegment;
import yastack.kernel.io.TxBatch;
import yastack.stack.FrameSink;

/** The stack writes straight into the port's transmit buffers of the worker's own queue. */
final class TxSink implements FrameSink {
    private final TxBatch tx;
    private final WorkerCounters counters;

    TxSink(TxBatch tx, WorkerCounters counters) {
        this.tx = tx;
        this.counters = counters;
    }

    @Override
    public MemorySegment acquire(int capacity) {
        if (capacity > tx.capacity()) {
            counters.dropNoBuffer.inc();
            return null;
        }
        long off = tx.acquire();
        if (off < 0) {
            counters.dropNoBuffer.inc();
            return null;
        }
        return tx.buffer().asSlice(off, tx.capacity());
    }

    @Override
    public void send(MemorySegment buffer, int length) {
        tx.commit(length);
        counters.txPackets.inc();
        counters.txBytes.add(length);
    }

    @Override
    public void flush() {
        tx.flush();
    }

    void close() {
        tx.close();
    }
}
