package yastack.kernel.dataplane;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A single-producer/single-consumer ring of fixed-size frame slots, used to hand frames from
 * the software distributor to a worker (and back, when a port has one transmit queue). Frames
 * are copied into a slot: the receive batch of a port gives its buffers back in bulk, so the
 * ownership of one frame cannot move to another thread. Each slot has a preallocated view, so
 * neither side allocates per frame.
 */
public final class FrameRing {
    private static final VarHandle HEAD, TAIL;
    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            HEAD = l.findVarHandle(FrameRing.class, "head", long.class);
            TAIL = l.findVarHandle(FrameRing.class, "tail", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final int mask;
    private final int slotSize;
    private final MemorySegment[] slots;
    private final int[] lengths;

    // producer side
    @SuppressWarnings("unused") private long p1, p2, p3, p4, p5, p6, p7;
    private long tail;
    private long producerHeadCache;
    // consumer side
    @SuppressWarnings("unused") private long c1, c2, c3, c4, c5, c6, c7;
    private long head;
    private long consumerTailCache;
    @SuppressWarnings("unused") private long d1, d2, d3, d4, d5, d6, d7;

    /** {@code capacity} slots (a power of two) of {@code slotSize} bytes each. */
    public FrameRing(int capacity, int slotSize) {
        if (capacity < 2 || Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("ring capacity must be a power of two >= 2: " + capacity);
        }
        this.mask = capacity - 1;
        this.slotSize = slotSize;
        MemorySegment memory = MemorySegment.ofArray(new byte[capacity * slotSize]);
        this.slots = new MemorySegment[capacity];
        for (int i = 0; i < capacity; i++) {
            slots[i] = memory.asSlice((long) i * slotSize, slotSize);
        }
        this.lengths = new int[capacity];
    }

    public int capacity() {
        return mask + 1;
    }

    public int slotSize() {
        return slotSize;
    }

    // ---------------------------------------------------------------- producer

    /** The next free slot to write a frame into, or null when the ring is full. Repeated calls return the same slot. */
    public MemorySegment claim() {
        long t = tail;
        if (t - producerHeadCache > mask) {
            producerHeadCache = (long) HEAD.getAcquire(this);
            if (t - producerHeadCache > mask) {
                return null;
            }
        }
        return slots[(int) t & mask];
    }

    /** Makes the claimed slot, holding {@code length} bytes, visible to the consumer. */
    public void publish(int length) {
        long t = tail;
        lengths[(int) t & mask] = length;
        TAIL.setRelease(this, t + 1);
    }

    /** Copies a frame in; false (and nothing written) when the ring is full or the frame too long. */
    public boolean offer(MemorySegment src, long offset, int length) {
        if (length > slotSize) {
            return false;
        }
        MemorySegment slot = claim();
        if (slot == null) {
            return false;
        }
        MemorySegment.copy(src, offset, slot, 0, length);
        publish(length);
        return true;
    }

    // ---------------------------------------------------------------- consumer

    /** Frames ready to read. */
    public int available() {
        long h = head;
        if (consumerTailCache == h) {
            consumerTailCache = (long) TAIL.getAcquire(this);
        }
        return (int) (consumerTailCache - h);
    }

    /** The {@code i}-th unread frame's slot (frame at offset 0); valid until {@link #release}. */
    public MemorySegment slot(int i) {
        return slots[(int) (head + i) & mask];
    }

    public int length(int i) {
        return lengths[(int) (head + i) & mask];
    }

    /** Frees the first {@code n} unread slots for the producer. */
    public void release(int n) {
        HEAD.setRelease(this, head + n);
    }

    /** Frames in the ring now, from any thread (approximate). */
    public int size() {
        return (int) ((long) TAIL.getAcquire(this) - (long) HEAD.getAcquire(this));
    }
}
