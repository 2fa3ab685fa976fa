package yastack.kernel.io;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Counters of one queue. Each counter has a single writer at a time (the queue's thread,
 * or whoever holds the lock the backend uses for it) and is updated once per burst; opaque
 * access lets other threads read recent values without tearing or fences on the hot path.
 */
public final class QueueCounters {
    private static final VarHandle ARR = MethodHandles.arrayElementVarHandle(long[].class);

    private static final int RX_PACKETS = 0, RX_BYTES = 1, TX_PACKETS = 2, TX_BYTES = 3,
            RX_NO_BUFFER = 4, RX_RING_FULL = 5, RX_ERRORS = 6,
            TX_NO_BUFFER = 7, TX_RING_FULL = 8, TX_ERRORS = 9;

    // Padded on both sides so counters of neighbouring queues never share a cache line.
    private final long[] c = new long[8 + 10 + 8];

    private void add(int i, long n) {
        int idx = 8 + i;
        ARR.setOpaque(c, idx, (long) ARR.getOpaque(c, idx) + n);
    }

    private long get(int i) {
        return (long) ARR.getOpaque(c, 8 + i);
    }

    public void received(long packets, long bytes) {
        add(RX_PACKETS, packets);
        add(RX_BYTES, bytes);
    }

    public void transmitted(long packets, long bytes) {
        add(TX_PACKETS, packets);
        add(TX_BYTES, bytes);
    }

    public void rxNoBuffer(long n) { add(RX_NO_BUFFER, n); }

    public void rxRingFull(long n) { add(RX_RING_FULL, n); }

    public void rxErrors(long n) { add(RX_ERRORS, n); }

    public void txNoBuffer(long n) { add(TX_NO_BUFFER, n); }

    public void txRingFull(long n) { add(TX_RING_FULL, n); }

    public void txErrors(long n) { add(TX_ERRORS, n); }

    public PortStats snapshot() {
        return new PortStats(get(RX_PACKETS), get(RX_BYTES), get(TX_PACKETS), get(TX_BYTES),
                get(RX_NO_BUFFER), get(RX_RING_FULL), get(RX_ERRORS),
                get(TX_NO_BUFFER), get(TX_RING_FULL), get(TX_ERRORS));
    }

    public static PortStats sum(QueueCounters[] queues) {
        PortStats s = PortStats.ZERO;
        for (QueueCounters q : queues) {
            s = s.plus(q.snapshot());
        }
        return s;
    }
}
