package yastack.kernel.io.dpdk;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static yastack.kernel.io.PacketPort.MAX_BURST;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import yastack.kernel.io.RxBatch;

/**
 * A receive burst of a {@link DpdkPort}: the native arrays the shim's rx call fills (mbuf pointers, frame offsets
 * in the pool, lengths, the count of multi-segment frames it dropped), and the mbufs to free on release.
 */
final class DpdkRxBatch extends RxBatch {
    final MemorySegment mbufs;
    final MemorySegment offs;
    final MemorySegment lens;
    final MemorySegment dropped;
    private final DpdkPort port;
    private final DpdkNative nat;

    DpdkRxBatch(DpdkPort port, DpdkNative nat, Arena arena) {
        super(port);
        this.port = port;
        this.nat = nat;
        this.mbufs = arena.allocate(ADDRESS, MAX_BURST);
        this.offs = arena.allocate(JAVA_LONG, MAX_BURST);
        this.lens = arena.allocate(JAVA_INT, MAX_BURST);
        this.dropped = arena.allocate(JAVA_INT);
    }

    void set(int i, long off, int len) {
        offsets[i] = off;
        lengths[i] = len;
    }

    void filled(int q, int n, MemorySegment view) {
        queue = q;
        count = n;
        buffer = view;
    }

    @Override
    protected void releaseFrames(int n) {
        if (port.isClosed()) {
            return; // the pools are gone; so are their mbufs
        }
        try {
            nat.freeBulk.invokeExact(mbufs, n);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }
}
