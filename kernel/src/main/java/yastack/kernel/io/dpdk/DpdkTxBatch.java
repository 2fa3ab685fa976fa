package yastack.kernel.io.dpdk;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static yastack.kernel.io.PacketPort.MAX_BURST;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import yastack.kernel.io.QueueCounters;
import yastack.kernel.io.TxBatch;

/**
 * The transmit side of one {@link DpdkPort} queue. mbufs come from the queue's own pool in bulk and wait in a stash
 * until acquired; frames are written in place in their data room and go to the device in one burst.
 */
final class DpdkTxBatch extends TxBatch {
    private static final int[] REFILL_SIZES = {MAX_BURST, 8, 1};

    private final DpdkPort port;
    private final DpdkNative nat;
    private final int portId;
    private final int frameCapacity;
    private final QueueCounters counters;
    /** mbuf of each burst slot, in the order they go to the device. */
    private final MemorySegment slots;
    private final MemorySegment lens;
    /** mbufs allocated in bulk, waiting to be acquired. */
    private final MemorySegment stash;
    private final MemorySegment stashOffs;
    private final long[] stashOffsets = new long[MAX_BURST];
    private int stashed;
    private final MemorySegment pool;
    private final long base;

    DpdkTxBatch(DpdkPort port, DpdkNative nat, Arena arena, int queue, MemorySegment pool, long base,
                MemorySegment poolView, int frameCapacity, QueueCounters counters) {
        super(queue);
        this.port = port;
        this.nat = nat;
        this.portId = port.portId();
        this.frameCapacity = frameCapacity;
        this.counters = counters;
        this.slots = arena.allocate(ADDRESS, MAX_BURST + 1);
        this.lens = arena.allocate(JAVA_INT, MAX_BURST);
        this.stash = arena.allocate(ADDRESS, MAX_BURST);
        this.stashOffs = arena.allocate(JAVA_LONG, MAX_BURST);
        this.pool = pool;
        this.base = base;
        this.buffer = poolView;
    }

    @Override
    public int capacity() {
        return frameCapacity;
    }

    private boolean refill() {
        // all-or-nothing bulk allocation: when the pool runs low, ask for less
        for (int n : REFILL_SIZES) {
            int rc;
            try {
                rc = (int) nat.ysAllocBulk.invokeExact(pool, stash, n, base, stashOffs);
            } catch (Throwable t) {
                throw new AssertionError(t);
            }
            if (rc == 0) {
                for (int i = 0; i < n; i++) {
                    stashOffsets[i] = stashOffs.getAtIndex(JAVA_LONG, i);
                }
                stashed = n;
                return true;
            }
        }
        return false;
    }

    @Override
    protected long reserve(int slot) {
        port.ensureOpen();
        if (stashed == 0 && !refill()) {
            counters.txNoBuffer(1);
            return -1;
        }
        stashed--;
        slots.setAtIndex(JAVA_LONG, slot, stash.getAtIndex(JAVA_LONG, stashed));
        return stashOffsets[stashed];
    }

    @Override
    protected void unreserve(int slot) {
        stash.setAtIndex(JAVA_LONG, stashed, slots.getAtIndex(JAVA_LONG, slot));
        stashOffsets[stashed] = offsets[slot];
        stashed++;
    }

    @Override
    protected void moveSlot(int from, int to) {
        slots.setAtIndex(JAVA_LONG, to, slots.getAtIndex(JAVA_LONG, from));
    }

    @Override
    protected int transmit(int n) {
        port.ensureOpen();
        for (int i = 0; i < n; i++) {
            lens.setAtIndex(JAVA_INT, i, lengths[i]);
        }
        int sent;
        try {
            sent = (int) nat.ysTxBurst.invokeExact(portId, queue, slots, lens, n);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        long bytes = 0;
        for (int i = 0; i < sent; i++) {
            bytes += lengths[i];
        }
        counters.transmitted(sent, bytes);
        if (sent < n) {
            counters.txRingFull(n - sent);
        }
        return sent;
    }

    @Override
    protected void releaseAll() {
        if (stashed > 0 && !port.isClosed()) {
            try {
                nat.freeBulk.invokeExact(stash, stashed);
            } catch (Throwable t) {
                throw new AssertionError(t);
            }
            stashed = 0;
        }
    }
}
