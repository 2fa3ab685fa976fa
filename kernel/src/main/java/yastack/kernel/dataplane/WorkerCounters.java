package yastack.kernel.dataplane;

import yastack.kernel.stats.Counter;
import yastack.kernel.stats.WorkerStats;

/**
 * One worker's data-plane counters ({@code worker.N.*}), cells owned by the thread that
 * increments them: the worker's own, or the distributor's for drops it causes on the way in.
 */
final class WorkerCounters {
    final Counter rxPackets, rxBytes, txPackets, txBytes;
    final Counter dropRingFull, dropNoBuffer, dropParseError;

    WorkerCounters(WorkerStats cells, int worker) {
        String p = "worker." + worker + ".";
        rxPackets = cells.counter(p + "rx_packets");
        rxBytes = cells.counter(p + "rx_bytes");
        txPackets = cells.counter(p + "tx_packets");
        txBytes = cells.counter(p + "tx_bytes");
        dropRingFull = cells.counter(p + "drop_ring_full");
        dropNoBuffer = cells.counter(p + "drop_no_buffer");
        dropParseError = cells.counter(p + "drop_parse_error");
    }
}
