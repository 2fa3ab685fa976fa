package yastack.stack;

/**
 * Connection lookup keyed by (remote address, remote port, local port) packed in one long; open addressing
 * with linear probing and backward-shift deletion, so lookups never allocate.
 */
final class TcpTable {
    private long[] keys = new long[64];
    private TcpConnection[] vals = new TcpConnection[64];
    private int size;

    static long key(int remoteIp, int remotePort, int localPort) {
        return ((remoteIp & 0xffffffffL) << 32) | ((long) remotePort << 16) | localPort;
    }

    private static int hash(long k, int mask) {
        long h = k * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 29)) & mask;
    }

    int size() {
        return size;
    }

    TcpConnection get(long k) {
        int mask = keys.length - 1;
        for (int i = hash(k, mask); ; i = (i + 1) & mask) {
            TcpConnection v = vals[i];
            if (v == null) {
                return null;
            }
            if (keys[i] == k) {
                return v;
            }
        }
    }

    void put(long k, TcpConnection v) {
        if ((size + 1) * 2 > keys.length) {
            grow();
        }
        int mask = keys.length - 1;
        for (int i = hash(k, mask); ; i = (i + 1) & mask) {
            if (vals[i] == null) {
                keys[i] = k;
                vals[i] = v;
                size++;
                return;
            }
            if (keys[i] == k) {
                vals[i] = v;
                return;
            }
        }
    }

    void remove(long k, TcpConnection expected) {
        int mask = keys.length - 1;
        int i = hash(k, mask);
        while (true) {
            if (vals[i] == null) {
                return;
            }
            if (keys[i] == k) {
                break;
            }
            i = (i + 1) & mask;
        }
        if (vals[i] != expected) {
            return;
        }
        vals[i] = null;
        size--;
        // backward-shift the cluster after the hole
        int j = i;
        while (true) {
            j = (j + 1) & mask;
            if (vals[j] == null) {
                return;
            }
            int home = hash(keys[j], mask);
            boolean move = (j > i) ? (home <= i || home > j) : (home <= i && home > j);
            if (move) {
                keys[i] = keys[j];
                vals[i] = vals[j];
                vals[j] = null;
                i = j;
            }
        }
    }

    private void grow() {
        long[] ok = keys;
        TcpConnection[] ov = vals;
        keys = new long[ok.length * 2];
        vals = new TcpConnection[ov.length * 2];
        size = 0;
        for (int i = 0; i < ok.length; i++) {
            if (ov[i] != null) {
                put(ok[i], ov[i]);
            }
        }
    }
}
