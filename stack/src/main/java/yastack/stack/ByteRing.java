package yastack.stack;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/**
 * A fixed-size byte ring addressed by offsets from its head. The send side appends and discards acknowledged
 * bytes; the receive side also writes out-of-order data at an offset beyond the contiguous part, so payload is
 * copied exactly once, from the frame into its final place.
 */
final class ByteRing {
    private final byte[] data;
    private final MemorySegment seg;
    private final int cap;
    private long head;
    private int size;

    ByteRing(int capacity) {
        this.cap = capacity;
        this.data = new byte[capacity];
        this.seg = MemorySegment.ofArray(data);
    }

    int capacity() {
        return cap;
    }

    /** Contiguous bytes held (from the head). */
    int size() {
        return size;
    }

    int free() {
        return cap - size;
    }

    private int index(long offsetFromHead) {
        return (int) ((head + offsetFromHead) % cap);
    }

    /** Appends as much of src as fits; returns bytes taken. */
    int append(ByteBuffer src) {
        int n = Math.min(src.remaining(), cap - size);
        int pos = index(size);
        int first = Math.min(n, cap - pos);
        src.get(data, pos, first);
        if (n > first) {
            src.get(data, 0, n - first);
        }
        size += n;
        return n;
    }

    /** Writes len bytes at offsetFromHead (which may lie beyond size, for out-of-order data); does not change size. */
    void writeAt(long offsetFromHead, MemorySegment src, long srcOff, int len) {
        int pos = index(offsetFromHead);
        int first = Math.min(len, cap - pos);
        MemorySegment.copy(src, srcOff, seg, pos, first);
        if (len > first) {
            MemorySegment.copy(src, srcOff + first, seg, 0, len - first);
        }
    }

    /** Marks n more bytes (already written with writeAt) as contiguous. */
    void commit(int n) {
        size += n;
    }

    /** Copies len bytes starting offsetFromHead into dst. */
    void copyOut(long offsetFromHead, MemorySegment dst, long dstOff, int len) {
        int pos = index(offsetFromHead);
        int first = Math.min(len, cap - pos);
        MemorySegment.copy(seg, pos, dst, dstOff, first);
        if (len > first) {
            MemorySegment.copy(seg, 0, dst, dstOff + first, len - first);
        }
    }

    /** Moves up to dst.remaining() contiguous bytes into dst and drops them from the ring. */
    int read(ByteBuffer dst) {
        int n = Math.min(dst.remaining(), size);
        int pos = index(0);
        int first = Math.min(n, cap - pos);
        dst.put(data, pos, first);
        if (n > first) {
            dst.put(data, 0, n - first);
        }
        discard(n);
        return n;
    }

    void discard(int n) {
        head += n;
        size -= n;
        if (head >= cap) {
            head %= cap;
        }
    }
}
