package yastack.kernel.io;

/**
 * A fixed set of equal-sized buffers inside one memory region, handed out by offset. Used by
 * backends that own their transmit memory (TAP, in-memory): one more buffer than a burst,
 * so a frame can stay acquired while a full burst is in flight.
 */
public final class BufferSlots {
    private final int size;
    private final int[] free;
    private int top;

    public BufferSlots(int count, int size) {
        this.size = size;
        this.free = new int[count];
        for (int i = 0; i < count; i++) {
            free[i] = count - 1 - i;
        }
        this.top = count;
    }

    /** Bytes the region must have. */
    public static long regionSize(int count, int size) {
        return (long) count * size;
    }

    /** Offset of a free buffer, or -1 when none is free. */
    public long take() {
        return top == 0 ? -1 : (long) free[--top] * size;
    }

    public void give(long offset) {
        free[top++] = (int) (offset / size);
    }
}
