package yastack.stack.bench;

import java.util.LinkedHashMap;
import java.util.Map;
import yastack.stack.Clock;

/**
 * Two stacks wired back to back in memory on one thread: bulk throughput and 64-byte
 * request/response rate. Used by {@code yastack bench stack} and the stack's own benchmarks;
 * bounded by the given time, after a warm-up of the same length (at most 2 s).
 */
public final class StackThroughput {
    /** The bulk chunk written per operation. */
    public static final int CHUNK = 64 * 1024;

    private StackThroughput() {}

    /** Runs both workloads for {@code seconds} each; returns named numbers (gbit_per_s, rr_per_s, ...). */
    public static Map<String, Double> measure(double seconds) {
        long dur = (long) (seconds * 1e9);
        long warm = Math.min(dur, 2_000_000_000L);
        Map<String, Double> out = new LinkedHashMap<>();

        MemLink.Bulk bulk = new MemLink.Bulk(new MemLink(1500, 1 << 20, Clock.SYSTEM));
        loop(() -> bulk.transfer(CHUNK), warm);
        long t0 = System.nanoTime();
        long bytes = 0;
        while (System.nanoTime() - t0 < dur) bytes += bulk.transfer(CHUNK);
        double el = (System.nanoTime() - t0) / 1e9;
        out.put("gbit_per_s", bytes * 8 / el / 1e9);
        out.put("bulk_retransmits", (double) bulk.link.a.stats().get("tcp.retransmits"));

        MemLink.RequestResponse rr = new MemLink.RequestResponse(new MemLink(1500, 256 * 1024, Clock.SYSTEM), 64);
        loop(rr::transaction, warm);
        t0 = System.nanoTime();
        long ops = 0;
        while (System.nanoTime() - t0 < dur) {
            rr.transaction();
            ops++;
        }
        out.put("rr_per_s", ops / ((System.nanoTime() - t0) / 1e9));
        return out;
    }

    private static void loop(Runnable r, long nanos) {
        long t0 = System.nanoTime();
        while (System.nanoTime() - t0 < nanos) r.run();
    }
}
