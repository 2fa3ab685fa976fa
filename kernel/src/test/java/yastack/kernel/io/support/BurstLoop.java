package yastack.kernel.io.support;

import yastack.kernel.io.MacAddress;
import yastack.kernel.io.PacketPort;
import yastack.kernel.io.RxBatch;
import yastack.kernel.io.TxBatch;

/** Transmit-then-receive rounds of full bursts, and what they cost the heap. */
public final class BurstLoop {
    private BurstLoop() {
    }

    /** One round: a burst of UDP frames on {@code tx}, then everything {@code rxPort} has on {@code rxQueue}. */
    public static int round(TxBatch tx, MacAddress dst, MacAddress src, PacketPort rxPort, int rxQueue, RxBatch rx, int seq) {
        for (int i = 0; i < PacketPort.MAX_BURST; i++) {
            long off = tx.acquire();
            if (off < 0) {
                break;
            }
            tx.commit(Frames.udp(tx.buffer(), off, dst, src, 0x0a000001, 0x0a000002, 1000, 2000, seq + i, 18));
        }
        tx.flush();
        int got = 0;
        for (int n; (n = rxPort.receiveBurst(rxQueue, rx)) > 0; ) {
            got += n;
            rx.release();
        }
        return got;
    }

    /**
     * Heap bytes the calling thread allocated while running {@code work}. Reflection, because
     * the kernel module does not read java.management and tests compile against it.
     */
    public static long allocatedBy(Runnable work) {
        try {
            Object mx = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean").invoke(null);
            java.lang.reflect.Method current = Class.forName("com.sun.management.ThreadMXBean")
                    .getMethod("getCurrentThreadAllocatedBytes");
            long before = (long) current.invoke(mx);
            work.run();
            return (long) current.invoke(mx) - before;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("thread allocation counter unavailable", e);
        }
    }

    /**
     * Warms up, then measures heap bytes per packet over {@code rounds} rounds (received packets
     * counted); the hot path is meant to allocate nothing.
     */
    public static double bytesPerPacket(TxBatch tx, MacAddress dst, MacAddress src, PacketPort rxPort, int rxQueue,
                                        int warmRounds, int rounds) {
        RxBatch rx = rxPort.newRxBatch();
        for (int r = 0; r < warmRounds; r++) {
            round(tx, dst, src, rxPort, rxQueue, rx, r);
        }
        long[] packets = new long[1];
        long bytes = allocatedBy(() -> {
            for (int r = 0; r < rounds; r++) {
                packets[0] += round(tx, dst, src, rxPort, rxQueue, rx, r);
            }
        });
        if (packets[0] < (long) rounds * PacketPort.MAX_BURST / 2) {
            throw new AssertionError("only " + packets[0] + " packets went round");
        }
        return (double) bytes / packets[0];
    }
}
