package yastack.kernel.io;

import java.lang.foreign.MemorySegment;

/**
 * Frames received by one burst. Frame {@code i} occupies {@code length(i)} bytes at
 * {@code offset(i)} of {@link #buffer()}: read it in place (flyweight style, no allocation),
 * or take a slice with {@link #frame(int)}. The frames belong to the backend until
 * {@link #release()}, which hands them all back at once.
 *
 * <p>Backends subclass this to remember what they must free; users get instances from
 * {@link PacketPort#newRxBatch()}.
 */
public abstract class RxBatch {
    protected final PacketPort owner;
    protected final long[] offsets = new long[PacketPort.MAX_BURST];
    protected final int[] lengths = new int[PacketPort.MAX_BURST];
    protected MemorySegment buffer = MemorySegment.NULL;
    protected int count;
    protected int queue = -1;

    protected RxBatch(PacketPort owner) {
        this.owner = owner;
    }

    /** The port this batch receives from. */
    public final PacketPort port() {
        return owner;
    }

    public final int count() {
        return count;
    }

    /** The queue the frames came from, or -1 before the first burst. */
    public final int queue() {
        return queue;
    }

    /** The memory all frames of the current burst live in; may change between bursts. */
    public final MemorySegment buffer() {
        return buffer;
    }

    public final long offset(int i) {
        checkIndex(i);
        return offsets[i];
    }

    public final int length(int i) {
        checkIndex(i);
        return lengths[i];
    }

    /** A slice over frame {@code i}; valid until {@link #release()}. */
    public final MemorySegment frame(int i) {
        checkIndex(i);
        return buffer.asSlice(offsets[i], lengths[i]);
    }

    /** Returns every frame of the burst to the backend. Idempotent. */
    public final void release() {
        if (count > 0) {
            releaseFrames(count);
            count = 0;
        }
    }

    /** Frees the backend resources behind frames {@code 0..n-1}. */
    protected abstract void releaseFrames(int n);

    private void checkIndex(int i) {
        if (i < 0 || i >= count) {
            throw new IndexOutOfBoundsException("frame " + i + " of a burst of " + count);
        }
    }
}
