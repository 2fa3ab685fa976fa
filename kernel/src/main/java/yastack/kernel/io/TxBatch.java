package yastack.kernel.io;

import java.lang.foreign.MemorySegment;

/**
 * Frames being built for one transmit queue. The cycle is {@link #acquire()} (a buffer of
 * {@link #capacity()} bytes owned by the backend), write the frame at the returned offset
 * of {@link #buffer()}, {@link #commit(int)} its length, and {@link #flush()} to hand every
 * committed frame to the device in one burst. Acquiring when {@link PacketPort#MAX_BURST}
 * frames are pending flushes first. Frames the device refuses are dropped and counted
 * ({@code txRingFull}); the caller's protocol (TCP) retransmits.
 *
 * <p>Bound to one queue and one thread. Backends subclass it; users get instances from
 * {@link PacketPort#newTxBatch(int)}.
 */
public abstract class TxBatch implements AutoCloseable {
    protected final int queue;
    protected final long[] offsets = new long[PacketPort.MAX_BURST];
    protected final int[] lengths = new int[PacketPort.MAX_BURST];
    protected MemorySegment buffer = MemorySegment.NULL;
    /** Frames committed and not yet flushed. */
    protected int pending;
    private boolean acquired;
    private boolean closed;

    protected TxBatch(int queue) {
        this.queue = queue;
    }

    public final int queue() {
        return queue;
    }

    /** Largest frame (Ethernet header included, FCS excluded) a buffer holds. */
    public abstract int capacity();

    /** The memory acquired buffers live in; read it after {@link #acquire()}. */
    public final MemorySegment buffer() {
        return buffer;
    }

    /**
     * Reserves a buffer for the next frame and returns its offset in {@link #buffer()}, or -1
     * when the backend has no free buffer (counted as {@code txNoBuffer}). Acquiring again
     * without a commit reuses the same buffer.
     */
    public final long acquire() {
        ensureOpen();
        if (acquired) {
            return offsets[pending];
        }
        if (pending == PacketPort.MAX_BURST) {
            flush();
        }
        long off = reserve(pending);
        if (off < 0) {
            return -1;
        }
        offsets[pending] = off;
        acquired = true;
        return off;
    }

    /** {@link #acquire()} as a slice of {@link #capacity()} bytes, or null with no buffer. */
    public final MemorySegment acquireFrame() {
        long off = acquire();
        return off < 0 ? null : buffer.asSlice(off, capacity());
    }

    /** Queues the acquired frame, {@code length} bytes long, for the next flush. */
    public final void commit(int length) {
        if (!acquired) {
            throw new IllegalStateException("commit without acquire");
        }
        if (length <= 0 || length > capacity()) {
            throw new IllegalArgumentException("frame length " + length + " not in 1.." + capacity());
        }
        lengths[pending++] = length;
        acquired = false;
    }

    /** Gives back the acquired, uncommitted buffer. */
    public final void abort() {
        if (acquired) {
            unreserve(pending);
            acquired = false;
        }
    }

    public final int pending() {
        return pending;
    }

    /** Transmits every committed frame in one burst; returns how many the device took. */
    public final int flush() {
        ensureOpen();
        int n = pending;
        if (n == 0) {
            return 0;
        }
        if (acquired) {
            // the acquired, uncommitted buffer sits in slot n: keep it, as slot 0
            int sent = transmit(n);
            offsets[0] = offsets[n];
            moveSlot(n, 0);
            pending = 0;
            return sent;
        }
        int sent = transmit(n);
        pending = 0;
        return sent;
    }

    /** Flushes, then returns every buffer still held to the backend. */
    @Override
    public final void close() {
        if (closed) {
            return;
        }
        flush();
        abort();
        closed = true;
        releaseAll();
    }

    /** Backend: a fresh buffer for slot {@code slot}; its offset in {@link #buffer}, or -1. */
    protected abstract long reserve(int slot);

    /** Backend: returns the buffer reserved for {@code slot} without sending it. */
    protected abstract void unreserve(int slot);

    /**
     * Backend: sends frames {@code 0..n-1} ({@link #offsets}, {@link #lengths}); every frame
     * is consumed whether sent or dropped; updates the counters; returns the number sent.
     */
    protected abstract int transmit(int n);

    /** Backend: the reserved buffer of slot {@code from} now belongs to slot {@code to}. */
    protected abstract void moveSlot(int from, int to);

    /** Backend: frees buffers cached for future acquires. */
    protected abstract void releaseAll();

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("transmit batch closed");
        }
    }
}
