package yastack.kernel.transport;

import java.lang.foreign.MemorySegment;
import yastack.kernel.io.PacketPort;
import yastack.kernel.io.RxBatch;
import yastack.kernel.io.TxBatch;
import yastack.kernel.loop.DataPathPoller;
import yastack.stack.Clock;
import yastack.stack.FrameSink;
import yastack.stack.NetStack;
import yastack.stack.StackConfig;

/**
 * Drives one stack shard from one queue of a packet port on a worker loop: a receive burst
 * into {@link NetStack#input}, then the stack's timers, then the transmit flush (the stack
 * transmits through a {@link FrameSink} over the queue's {@link TxBatch}). Test support; the
 * production data plane has its own.
 */
final class StackPoller implements DataPathPoller {
    private final PacketPort port;
    private final int queue;
    private final RxBatch rx;
    private final NetStack stack;
    private long nextDeadline = Long.MAX_VALUE;

    StackPoller(PacketPort port, int queue, StackConfig config) {
        this.port = port;
        this.queue = queue;
        this.rx = port.newRxBatch();
        this.stack = new NetStack(config, Clock.SYSTEM, new TxSink(port.newTxBatch(queue)));
    }

    NetStack stack() {
        return stack;
    }

    @Override
    public int poll(long nowNanos) {
        int n = port.receiveBurst(queue, rx);
        MemorySegment buf = rx.buffer();
        for (int i = 0; i < n; i++) {
            stack.input(buf.asSlice(rx.offset(i), rx.length(i)), rx.length(i));
        }
        rx.release();
        nextDeadline = stack.poll(System.nanoTime());
        return n;
    }

    @Override
    public long nextDeadlineNanos() {
        return nextDeadline;
    }

    /** The stack's frames go straight into the transmit batch's buffers. */
    private static final class TxSink implements FrameSink {
        private final TxBatch tx;

        TxSink(TxBatch tx) {
            this.tx = tx;
        }

        @Override
        public MemorySegment acquire(int capacity) {
            if (capacity > tx.capacity()) {
                return null;
            }
            long off = tx.acquire();
            return off < 0 ? null : tx.buffer().asSlice(off, tx.capacity());
        }

        @Override
        public void send(MemorySegment buffer, int length) {
            tx.commit(length);
        }

        @Override
        public void flush() {
            tx.flush();
        }
    }
}
