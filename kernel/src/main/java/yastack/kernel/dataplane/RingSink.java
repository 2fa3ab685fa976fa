package yastack.kernel.dataplane;

import java.lang.foreign.MemorySegment;
import yastack.stack.FrameSink;

/**
 * For ports with a single transmit queue: the stack writes frames into a ring slot that the
 * distributor (the queue's only user) transmits on its next round.
 */
final class RingSink implements FrameSink {
    private final FrameRing ring;
    private final WorkerCounters counters;

    RingSink(FrameRing ring, WorkerCounters counters) {
        this.ring = ring;
        this.counters = counters;
    }

    @Override
    public MemorySegment acquire(int capacity) {
        MemorySegment slot = capacity <= ring.slotSize() ? ring.claim() : null;
        if (slot == null) {
            counters.dropRingFull.inc();
        }
        return slot;
    }

    @Override
    public void send(MemorySegment buffer, int length) {
        ring.publish(length);
        counters.txPackets.inc();
        counters.txBytes.add(length);
    }

    @Override
    public void flush() {
        // the distributor drains the ring every round
    }
}
