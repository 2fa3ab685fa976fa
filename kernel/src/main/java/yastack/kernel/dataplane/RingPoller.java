package yastack.kernel.dataplane;

/**
 * Software RSS, worker side: frames the distributor steered to this worker come out of its
 * ring into the shard; then timers and the transmit flush.
 */
final class RingPoller extends StoppablePoller {
    private static final int BURST = 64;
    private final Shard shard;
    private final FrameRing ring;

    RingPoller(Shard shard, FrameRing ring) {
        this.shard = shard;
        this.ring = ring;
    }

    @Override
    Shard heldShard() {
        return shard;
    }

    @Override
    int doPoll(long now) {
        int n = Math.min(ring.available(), BURST);
        if (n > 0) {
            WorkerCounters c = shard.counters;
            for (int i = 0; i < n; i++) {
                int len = ring.length(i);
                c.rxPackets.inc();
                c.rxBytes.add(len);
                shard.stack.input(ring.slot(i), len, now);
            }
            ring.release(n);
        }
        nextDeadline = shard.stack.poll(now);
        return n;
    }
}
