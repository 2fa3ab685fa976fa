package yastack.kernel.dataplane;

import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.function.Consumer;

/**
 * The distributor's memory of which worker owns each flow of one interface, keyed by the
 * remote address and port, the local port and the protocol (the local address is the
 * interface's). Open addressing with linear probing over parallel arrays: no object per flow,
 * nothing allocated per packet. Entries are forgotten after a closing grace period (RST seen,
 * or FIN seen from the remote) or after being idle; a sweep looks at a few slots per round.
 * Single-threaded (the distributor's); {@link #owned(int)} may be read from any thread.
 */
final class FlowTable {
    static final byte FIN = 1, RST = 2;

    private final long[] keys;
    private final byte[] protos; // 0 = empty slot
    private final int[] owners;
    private final long[] lastSeen;
    private final byte[] flags;
    private final int mask;
    private final int limit;
    private final AtomicIntegerArray ownedBy;
    private final long tcpIdleNanos, closingNanos, resetNanos, udpIdleNanos;
    private int size;
    private int sweepCursor;

    FlowTable(int capacity, int workers, long tcpIdleNanos, long closingNanos, long resetNanos, long udpIdleNanos) {
        int cap = Integer.highestOneBit(Math.max(16, capacity) * 2 - 1) * 2; // at least capacity below the 3/4 load limit
        keys = new long[cap];
        protos = new byte[cap];
        owners = new int[cap];
        lastSeen = new long[cap];
        flags = new byte[cap];
        mask = cap - 1;
        limit = cap - cap / 4;
        ownedBy = new AtomicIntegerArray(workers);
        this.tcpIdleNanos = tcpIdleNanos;
        this.closingNanos = closingNanos;
        this.resetNanos = resetNanos;
        this.udpIdleNanos = udpIdleNanos;
    }

    static long key(int remoteAddr, int remotePort, int localPort) {
        return (long) remoteAddr << 32 | (long) (remotePort & 0xffff) << 16 | (localPort & 0xffff);
    }

    private static int home(long key, int proto) {
        long h = (key ^ proto) * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32));
    }

    /** Slot index of the flow, or -1. */
    int find(int proto, long key) {
        int i = home(key, proto) & mask;
        while (protos[i] != 0) {
            if (keys[i] == key && protos[i] == proto) {
                return i;
            }
            i = (i + 1) & mask;
        }
        return -1;
    }

    /** Adds a flow (which must be absent); -1 when the table is full. */
    int insert(int proto, long key, int owner, long now) {
        if (size >= limit) {
            return -1;
        }
        int i = home(key, proto) & mask;
        while (protos[i] != 0) {
            i = (i + 1) & mask;
        }
        keys[i] = key;
        protos[i] = (byte) proto;
        owners[i] = owner;
        lastSeen[i] = now;
        flags[i] = 0;
        size++;
        ownedBy.getAndIncrement(owner);
        return i;
    }

    int owner(int slot) {
        return owners[slot];
    }

    byte flags(int slot) {
        return flags[slot];
    }

    void touch(int slot, long now, int addFlags) {
        lastSeen[slot] = now;
        flags[slot] |= (byte) addFlags;
    }

    int size() {
        return size;
    }

    /** Flows owned by {@code worker}; safe from any thread. */
    int owned(int worker) {
        return ownedBy.get(worker);
    }

    private boolean expired(int i, long now) {
        long idle = now - lastSeen[i];
        byte f = flags[i];
        if ((f & RST) != 0) return idle > resetNanos;
        if ((f & FIN) != 0) return idle > closingNanos;
        return idle > (protos[i] == 6 ? tcpIdleNanos : udpIdleNanos);
    }

    /**
     * Looks at up to {@code budget} slots and forgets expired flows, reporting each to
     * {@code closed} (with the reused flyweight) before it goes.
     */
    int sweep(long now, int budget, Flow scratch, Consumer<Flow> closed) {
        int removed = 0;
        for (int n = 0; n < budget && size > 0; n++) {
            int i = sweepCursor;
            if (protos[i] != 0 && expired(i, now)) {
                if (closed != null) {
                    long k = keys[i];
                    closed.accept(scratch.set(protos[i], (int) (k >>> 32), (int) (k >>> 16) & 0xffff, 0, (int) k & 0xffff, 0));
                }
                remove(i);
                removed++;
                continue; // a later entry may have shifted into slot i
            }
            sweepCursor = (i + 1) & mask;
        }
        return removed;
    }

    void remove(int i) {
        ownedBy.getAndDecrement(owners[i]);
        protos[i] = 0;
        size--;
        // backward-shift deletion keeps every probe chain unbroken
        int j = i;
        while (true) {
            j = (j + 1) & mask;
            if (protos[j] == 0) {
                return;
            }
            int h = home(keys[j], protos[j]) & mask;
            boolean move = (j > i) ? (h <= i || h > j) : (h <= i && h > j);
            if (move) {
                keys[i] = keys[j];
                protos[i] = protos[j];
                owners[i] = owners[j];
                lastSeen[i] = lastSeen[j];
                flags[i] = flags[j];
                protos[j] = 0;
                i = j;
            }
        }
    }
}
