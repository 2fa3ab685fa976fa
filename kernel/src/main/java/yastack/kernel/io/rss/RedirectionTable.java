package yastack.kernel.io.rss;

import java.util.Arrays;

/**
 * Maps an RSS hash to a queue the way NICs do: the low bits of the hash index a table of
 * queue numbers. The default fill (entry i = i mod queues) is what DPDK drivers program at
 * start, so software and hardware agree on where a flow lands when both use it.
 */
public final class RedirectionTable {
    /** Entries in the table DPDK ports are programmed with and software RSS uses. */
    public static final int DEFAULT_SIZE = 128;

    private final int[] entries;
    private final int mask;
    private final int queues;

    public RedirectionTable(int size, int queues) {
        if (size <= 0 || Integer.bitCount(size) != 1) {
            throw new IllegalArgumentException("redirection table size must be a power of two: " + size);
        }
        if (queues <= 0) {
            throw new IllegalArgumentException("queues must be positive: " + queues);
        }
        this.entries = new int[size];
        this.mask = size - 1;
        this.queues = queues;
        for (int i = 0; i < size; i++) {
            entries[i] = i % queues;
        }
    }

    public static RedirectionTable roundRobin(int queues) {
        return new RedirectionTable(DEFAULT_SIZE, queues);
    }

    public int queueOf(int hash) {
        return entries[hash & mask];
    }

    public int size() {
        return entries.length;
    }

    public int queues() {
        return queues;
    }

    /** Points entry {@code index} at {@code queue}, e.g. to drain a queue. */
    public void set(int index, int queue) {
        if (queue < 0 || queue >= queues) {
            throw new IllegalArgumentException("queue " + queue + " not in 0.." + (queues - 1));
        }
        entries[index] = queue;
    }

    public int[] entries() {
        return entries.clone();
    }

    @Override
    public String toString() {
        return "RedirectionTable" + Arrays.toString(entries);
    }
}
