package yastack.kernel.io.rss;

import java.util.function.IntPredicate;

/**
 * Picks the local port of an outbound connection so that the replies (remote to local)
 * hash to a chosen queue: the worker that opens a connection is the worker that receives
 * its packets. The port enters the hash linearly (two table lookups), so trying a port
 * costs a few nanoseconds.
 */
public final class RssPortSelector {
    private final Toeplitz toeplitz;
    private final RedirectionTable table;

    public RssPortSelector(Toeplitz toeplitz, RedirectionTable table) {
        if (toeplitz.maxInput() < 12) {
            throw new IllegalArgumentException("key too short for an IPv4 5-tuple");
        }
        this.toeplitz = toeplitz;
        this.table = table;
    }

    /** The queue receiving packets from {@code remote:remotePort} to {@code local:localPort}. */
    public int queueOfInbound(int localAddr, int localPort, int remoteAddr, int remotePort) {
        return table.queueOf(toeplitz.hashIpv4(remoteAddr, localAddr, remotePort, localPort));
    }

    /**
     * A local port in {@code [low, high]} whose inbound flow lands on {@code queue}, scanning
     * from {@code start} (wrapping) and skipping ports {@code inUse} rejects; -1 if none.
     * Spread {@code start} (e.g. a per-worker cursor) to avoid rescanning busy ports.
     */
    public int select(int localAddr, int remoteAddr, int remotePort,
                      int low, int high, int queue, int start, IntPredicate inUse) {
        if (low < 0 || high > 0xffff || low > high) {
            throw new IllegalArgumentException("bad port range " + low + ".." + high);
        }
        if (queue < 0 || queue >= table.queues()) {
            throw new IllegalArgumentException("queue " + queue + " not in 0.." + (table.queues() - 1));
        }
        int span = high - low + 1;
        int first = low + Math.floorMod(start - low, span);
        // everything but the local port is fixed: hash it once
        int fixed = toeplitz.word(0, remoteAddr) ^ toeplitz.word(4, localAddr) ^ toeplitz.port(8, remotePort);
        for (int i = 0; i < span; i++) {
            int p = first + i;
            if (p > high) {
                p -= span;
            }
            if (table.queueOf(fixed ^ toeplitz.port(10, p)) == queue && (inUse == null || !inUse.test(p))) {
                return p;
            }
        }
        return -1;
    }
}
