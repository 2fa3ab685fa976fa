package yastack.stack;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;
import yastack.stack.bench.MemLink;

/** The steady-state data/ACK path must not allocate: measured with the JVM's per-thread allocation counter. */
class AllocationFreeTest {
    private static long allocated() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    @Test
    void bulkTransferAllocatesNothingPerSegment() {
        MemLink.Bulk bulk = new MemLink.Bulk(new MemLink(1500, 1 << 20, Clock.SYSTEM));
        for (int i = 0; i < 1500; i++) {
            bulk.transfer(64 * 1024); // warm up: JIT compiles the path and escape analysis kicks in
        }
        long before = allocated();
        long moved = 0;
        for (int i = 0; i < 500; i++) {
            moved += bulk.transfer(64 * 1024);
        }
        long bytes = allocated() - before;
        long segments = moved / 1448;
        assertTrue(moved >= 500L * 64 * 1024);
        assertTrue(bytes < segments / 10, "allocated " + bytes + " bytes for " + segments + " segments");
    }

    @Test
    void requestResponseAllocatesNothingPerTransaction() {
        MemLink.RequestResponse rr = new MemLink.RequestResponse(new MemLink(1500, 256 * 1024, Clock.SYSTEM), 64);
        for (int i = 0; i < 200_000; i++) {
            rr.transaction();
        }
        long before = allocated();
        for (int i = 0; i < 100_000; i++) {
            rr.transaction();
        }
        long bytes = allocated() - before;
        assertTrue(bytes < 10_000, "allocated " + bytes + " bytes over 100k transactions");
    }
}
