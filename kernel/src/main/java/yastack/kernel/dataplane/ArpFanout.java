package yastack.kernel.dataplane;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.ConcurrentLinkedQueue;
import yastack.stack.NetStack;

/**
 * With hardware RSS each worker receives from its own queue, so an ARP frame reaches one
 * shard; this passes copies to the other shards of the interface (see {@link ArpFrames}).
 * ARP is rare, so a copy per frame in a lock-free queue costs nothing that matters.
 */
final class ArpFanout {
    private final ConcurrentLinkedQueue<byte[]>[] inbox;

    @SuppressWarnings("unchecked")
    ArpFanout(int workers) {
        inbox = new ConcurrentLinkedQueue[workers];
        for (int i = 0; i < workers; i++) {
            inbox[i] = new ConcurrentLinkedQueue<>();
        }
    }

    void publish(int from, MemorySegment frame, long off, int len) {
        for (int w = 0; w < inbox.length; w++) {
            if (w != from) {
                byte[] copy = new byte[len];
                MemorySegment.copy(frame, off, MemorySegment.ofArray(copy), 0, len);
                inbox[w].add(copy);
            }
        }
    }

    int drain(int worker, NetStack stack) {
        ConcurrentLinkedQueue<byte[]> q = inbox[worker];
        if (q.isEmpty()) {
            return 0;
        }
        int n = 0;
        for (byte[] f; (f = q.poll()) != null; n++) {
            stack.input(MemorySegment.ofArray(f), f.length);
        }
        return n;
    }
}
