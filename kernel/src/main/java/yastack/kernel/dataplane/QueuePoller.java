package yastack.kernel.dataplane;

import java.lang.foreign.MemorySegment;
import yastack.kernel.io.PacketPort;
import yastack.kernel.io.RxBatch;

/**
 * Hardware RSS: the worker receives from its own port queue into its shard (receive burst,
 * stack input, timers, transmit flush on its own queue), sharing ARP with the other shards.
 */
final class QueuePoller extends StoppablePoller {
    private final Shard shard;
    private final PacketPort port;
    private final int queue;
    private final RxBatch rx;
    private final ArpFanout fanout;
    private final int address;

    QueuePoller(Shard shard, PacketPort port, int queue, ArpFanout fanout) {
        this.shard = shard;
        this.port = port;
        this.queue = queue;
        this.rx = port.newRxBatch();
        this.fanout = fanout;
        this.address = shard.stack.address();
    }

    @Override
    Shard heldShard() {
        return shard;
    }

    @Override
    int doPoll(long now) {
        int work = fanout == null ? 0 : fanout.drain(shard.worker, shard.stack);
        int n = port.receiveBurst(queue, rx);
        if (n > 0) {
            WorkerCounters c = shard.counters;
            MemorySegment buf = rx.buffer();
            for (int i = 0; i < n; i++) {
                long off = rx.offset(i);
                int len = rx.length(i);
                c.rxPackets.inc();
                c.rxBytes.add(len);
                if (fanout != null && ArpFrames.isArp(buf, off, len) && ArpFrames.forAllShards(buf, off, address)) {
                    fanout.publish(shard.worker, buf, off, len);
                }
                shard.stack.input(rx.frame(i), len, now);
            }
            rx.release();
        }
        nextDeadline = shard.stack.poll(now);
        return work + n;
    }
}
