package yastack.scripting.internal;

/**
 * Flow 5-tuple to worker index, open addressing with linear probing over
 * primitive arrays: lookups and inserts allocate nothing (the distributor
 * calls this for every packet). Single-threaded.
 */
final class FlowTable {
    private static final int EMPTY = -1;

    private long[] keyA;
    private long[] keyB;
    private int[] values;
    private int size;
    private int mask;

    FlowTable(int initialCapacity) {
        int cap = Integer.highestOneBit(Math.max(16, initialCapacity) * 2 - 1);
        allocate(cap);
    }

    private void allocate(int cap) {
        keyA = new long[cap];
        keyB = new long[cap];
        values = new int[cap];
        java.util.Arrays.fill(values, EMPTY);
        mask = cap - 1;
        size = 0;
    }

    static long a(int src, int dst) {
        return ((long) src << 32) | (dst & 0xffffffffL);
    }

    static long b(int protocol, int srcPort, int dstPort) {
        return ((long) (protocol & 0xff) << 32) | ((long) (srcPort & 0xffff) << 16) | (dstPort & 0xffff);
    }

    private static int hash(long a, long b) {
        long h = a * 0x9E3779B97F4A7C15L ^ Long.rotateLeft(b * 0xC2B2AE3D27D4EB4FL, 31);
        return (int) (h ^ (h >>> 29));
    }

    /** The worker stored for the flow, or -1. */
    int get(long a, long b) {
        int i = hash(a, b) & mask;
        while (values[i] != EMPTY) {
            if (keyA[i] == a && keyB[i] == b) return values[i];
            i = (i + 1) & mask;
        }
        return EMPTY;
    }

    void put(long a, long b, int worker) {
        if ((size + 1) * 4 > values.length * 3) grow();
        int i = hash(a, b) & mask;
        while (values[i] != EMPTY) {
            if (keyA[i] == a && keyB[i] == b) {
                values[i] = worker;
                return;
            }
            i = (i + 1) & mask;
        }
        keyA[i] = a;
        keyB[i] = b;
        values[i] = worker;
        size++;
    }

    /** Removes the flow; backward-shift deletion keeps probe chains intact without tombstones. */
    boolean remove(long a, long b) {
        int i = hash(a, b) & mask;
        while (values[i] != EMPTY) {
            if (keyA[i] == a && keyB[i] == b) {
                deleteAt(i);
                size--;
                return true;
            }
            i = (i + 1) & mask;
        }
        return false;
    }

    private void deleteAt(int hole) {
        int i = hole;
        while (true) {
            i = (i + 1) & mask;
            if (values[i] == EMPTY) break;
            int home = hash(keyA[i], keyB[i]) & mask;
            // Move the entry back into the hole if its home is not between the hole and it (cyclically).
            boolean between = hole <= i ? (home > hole && home <= i) : (home > hole || home <= i);
            if (!between) {
                keyA[hole] = keyA[i];
                keyB[hole] = keyB[i];
                values[hole] = values[i];
                hole = i;
            }
        }
        values[hole] = EMPTY;
    }

    private void grow() {
        long[] oa = keyA;
        long[] ob = keyB;
        int[] ov = values;
        allocate(ov.length * 2);
        for (int i = 0; i < ov.length; i++) if (ov[i] != EMPTY) put(oa[i], ob[i], ov[i]);
    }

    int size() {
        return size;
    }

    void clear() {
        java.util.Arrays.fill(values, EMPTY);
        size = 0;
    }
}
