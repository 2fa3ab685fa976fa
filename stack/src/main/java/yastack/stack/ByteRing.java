package yastack.stack;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/**
 * A byte ring of a fixed logical capacity addressed by offsets from its head. The send side appends and discards
 * acknowledged bytes; the receive side also writes out-of-order data at an offset beyond the contiguous part, so
 * payload is copied exactly once, from the frame into its final place.
 * Storage starts small and doubles up to the capacity as data actually queues (idle and TIME_WAIT connections
 * hold no buffer memory); once a connection has reached its working size the path no longer allocates.
 */
final class ByteRing {
    static final int INITIAL = 16 * 1024;

    private final int cap;
    private byte[] data;
    private MemorySegment seg;
    private int head;   // physical index of logical offset 0
    private int size;   // contiguous bytes from the head
    private int extent; // bytes from the head that may hold data (>= size; includes out-of-order data)

    ByteRing(int capacity) {
        this.cap = capacity;
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

    /** Bytes of storage currently allocated. */
    int allocated() {
        return data == null ? 0 : data.length;
    }

    private int index(long offsetFromHead) {
        return (int) ((head + offsetFromHead) % data.length);
    }

    /** Makes logical offsets [0, end) addressable, growing the storage (and unwrapping it) when needed. */
    private void ensure(long end) {
        int have = data == null ? 0 : data.length;
        if (end <= have) {
            return;
        }
        int n = (int) Math.min(cap, Math.max(end, Math.max(INITIAL, 2L * have)));
        byte[] nd = new byte[n];
        if (data != null && extent > 0) {
            int first = Math.min(extent, have - head);
            System.arraycopy(data, head, nd, 0, first);
            if (extent > first) {
                System.arraycopy(data, 0, nd, first, extent - first);
            }
        }
        data = nd;
        seg = MemorySegment.ofArray(nd);
        head = 0;
    }

    /** Appends as much of src as fits; returns bytes taken. */
    int append(ByteBuffer src) {
        int n = Math.min(src.remaining(), cap - size);
        if (n == 0) {
            return 0;
        }
        ensure((long) size + n);
        int pos = index(size);
        int first = Math.min(n, data.length - pos);
        src.get(data, pos, first);
        if (n > first) {
            src.get(data, 0, n - first);
        }
        size += n;
        extent = Math.max(extent, size);
        return n;
    }

    /** Writes len bytes at offsetFromHead (which may lie beyond size, for out-of-order data); does not change size. */
    void writeAt(long offsetFromHead, MemorySegment src, long srcOff, int len) {
        if (len <= 0) {
            return;
        }
        ensure(offsetFromHead + len);
        int pos = index(offsetFromHead);
        int first = Math.min(len, data.length - pos);
        MemorySegment.copy(src, srcOff, seg, pos, first);
        if (len > first) {
            MemorySegment.copy(src, srcOff + first, seg, 0, len - first);
        }
        extent = (int) Math.max(extent, offsetFromHead + len);
    }

    /** Marks n more bytes (already written with writeAt) as contiguous. */
    void commit(int n) {
        size += n;
        extent = Math.max(extent, size);
    }

    /**
     * Copies len bytes starting offsetFromHead into dst and returns {@code acc} plus their
     * one's-complement sum (the bytes start 2-byte aligned in the segment's checksum), summed
     * on this ring's side of the copy.
     */
    long copyOutSummed(long offsetFromHead, MemorySegment dst, long dstOff, int len, long acc) {
        int pos = index(offsetFromHead);
        int first = Math.min(len, data.length - pos);
        MemorySegment.copy(seg, pos, dst, dstOff, first);
        acc = Wire.sum(seg, pos, first, acc);
        if (len > first) {
            MemorySegment.copy(seg, 0, dst, dstOff + first, len - first);
            long rest = Wire.sum(seg, 0, len - first, 0);
            // After an odd first part the rest starts on a low byte: its sum, byte-swapped (RFC 1071 2(B)).
            acc += (first & 1) == 0 ? rest : Wire.swapped(rest);
        }
        return acc;
    }

    /** Moves up to dst.remaining() contiguous bytes into dst and drops them from the ring. */
    int read(ByteBuffer dst) {
        int n = Math.min(dst.remaining(), size);
        if (n == 0) {
            return 0;
        }
        int pos = index(0);
        int first = Math.min(n, data.length - pos);
        dst.put(data, pos, first);
        if (n > first) {
            dst.put(data, 0, n - first);
        }
        discard(n);
        return n;
    }

    void discard(int n) {
        if (n <= 0) {
            return;
        }
        head = (int) ((head + (long) n) % data.length);
        size -= n;
        extent -= n;
    }

    /** Gives the storage back when nothing is held (TIME_WAIT, closed). */
    void release() {
        if (size == 0 && extent == 0) {
            data = null;
            seg = null;
            head = 0;
        }
    }
}
