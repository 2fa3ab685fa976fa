package yastack.stack;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * RFC 826 neighbour cache with aging, retried resolution and a bounded queue of frames waiting for an answer.
 * Lookups probe an open-addressed table of preallocated entries; nothing is allocated on the send path.
 */
final class ArpTable {
    static final long BROADCAST = 0xFFFF_FFFF_FFFFL;

    /** One neighbour; public fields only inside the package. */
    static final class Entry {
        int ip;
        long mac = -1;
        long expires;
        long nextRetry;
        int retries;
        byte[][] pending;
        int[] pendingLen;
        int pendingCount;
        boolean used;
    }

    private final NetStack stack;
    private final StackConfig cfg;
    private Entry[] table;
    private int size;
    private Entry last;

    ArpTable(NetStack stack) {
        this.stack = stack;
        this.cfg = stack.cfg;
        int cap = Integer.highestOneBit(Math.max(16, cfg.arpMaxEntries) * 2 - 1) * 2;
        table = new Entry[cap];
        for (int i = 0; i < cap; i++) {
            table[i] = new Entry();
        }
    }

    private int slot(int ip) {
        int mask = table.length - 1;
        int i = home(ip);
        while (table[i].used && table[i].ip != ip) {
            i = (i + 1) & mask;
        }
        return i;
    }

    private Entry find(int ip) {
        Entry l = last;
        if (l != null && l.used && l.ip == ip) {
            return l;
        }
        Entry e = table[slot(ip)];
        if (!e.used) {
            return null;
        }
        last = e;
        return e;
    }

    private Entry create(int ip) {
        if (size >= cfg.arpMaxEntries) {
            evictOne();
        }
        Entry e = table[slot(ip)];
        e.used = true;
        e.ip = ip;
        e.mac = -1;
        e.retries = 0;
        e.pendingCount = 0;
        size++;
        return e;
    }

    private void evictOne() {
        for (Entry e : table) {
            if (e.used && e.pendingCount == 0) {
                remove(e);
                return;
            }
        }
    }

    private int home(int ip) {
        int h = ip * 0x9E3779B1;
        return (h ^ (h >>> 16)) & (table.length - 1);
    }

    private void remove(Entry victim) {
        int mask = table.length - 1;
        int i = slot(victim.ip);
        table[i].used = false;
        size--;
        last = null;
        // backward-shift deletion keeps every probe chain unbroken
        int j = i;
        while (true) {
            j = (j + 1) & mask;
            if (!table[j].used) {
                return;
            }
            int h = home(table[j].ip);
            boolean move = (j > i) ? (h <= i || h > j) : (h <= i && h > j);
            if (move) {
                Entry tmp = table[i];
                table[i] = table[j];
                table[j] = tmp;
                i = j;
            }
        }
    }

    /** MAC for ip, or -1 when unresolved (a request is sent and the caller queues the frame). */
    long lookup(int ip, long now) {
        Entry e = find(ip);
        if (e != null && e.mac >= 0) {
            if (now >= e.expires && now >= e.nextRetry) {
                // stale: keep using it while re-confirming (RFC 1122 2.3.2.1)
                if (now - e.expires > cfg.arpRetryNanos * (cfg.arpRetries + 1L)) {
                    e.mac = -1;
                    e.retries = 0;
                } else {
                    e.nextRetry = now + cfg.arpRetryNanos;
                    request(ip);
                    stack.scheduleAt(e.nextRetry);
                    return e.mac;
                }
            } else {
                return e.mac;
            }
        }
        if (e == null) {
            e = create(ip);
        }
        if (e.retries == 0) {
            e.retries = 1;
            e.nextRetry = now + cfg.arpRetryNanos;
            request(ip);
            stack.scheduleAt(e.nextRetry);
        }
        return -1;
    }

    /** Keeps a copy of a frame until ip resolves. */
    void queue(int ip, MemorySegment frame, int len) {
        Entry e = find(ip);
        if (e == null) {
            stack.stats.inc(Stat.ARP_PENDING_DROPPED);
            return;
        }
        if (e.pending == null) {
            e.pending = new byte[cfg.arpPendingPerAddress][];
            e.pendingLen = new int[cfg.arpPendingPerAddress];
        }
        if (e.pendingCount == e.pending.length) {
            stack.stats.inc(Stat.ARP_PENDING_DROPPED);
            return;
        }
        byte[] b = e.pending[e.pendingCount];
        if (b == null || b.length < len) {
            b = new byte[Math.max(len, 1514)];
            e.pending[e.pendingCount] = b;
        }
        MemorySegment.copy(frame, 0, MemorySegment.ofArray(b), 0, len);
        e.pendingLen[e.pendingCount++] = len;
    }

    void learn(int ip, long mac, boolean create, long now) {
        Entry e = find(ip);
        if (e == null) {
            if (!create) {
                return;
            }
            e = create(ip);
        }
        e.mac = mac;
        e.expires = now + cfg.arpTimeoutNanos;
        e.nextRetry = 0;
        e.retries = 0;
        for (int i = 0; i < e.pendingCount; i++) {
            int len = e.pendingLen[i];
            MemorySegment f = stack.sink.acquire(Math.max(60, len));
            if (f == null) {
                stack.stats.inc(Stat.ETH_TX_NO_BUFFER);
                continue;
            }
            MemorySegment.copy(MemorySegment.ofArray(e.pending[i]), 0, f, 0, len);
            Wire.putMac(f, 0, mac);
            stack.transmit(f, len);
        }
        e.pendingCount = 0;
    }

    /** Retries and expiry of unresolved entries. Returns the next deadline. */
    long poll(long now) {
        long next = Long.MAX_VALUE;
        for (Entry e : table) {
            if (!e.used || e.mac >= 0 || e.retries == 0) {
                continue;
            }
            if (now >= e.nextRetry) {
                if (e.retries >= cfg.arpRetries) {
                    stack.stats.inc(Stat.ARP_RESOLVE_FAILED);
                    stack.stats.add(Stat.ARP_PENDING_DROPPED, e.pendingCount);
                    e.pendingCount = 0;
                    int ip = e.ip;
                    remove(e);
                    TcpNetworkErrors.unreachable(stack.tcp, ip);
                    continue;
                }
                e.retries++;
                e.nextRetry = now + cfg.arpRetryNanos;
                request(e.ip);
            }
            next = Math.min(next, e.nextRetry);
        }
        return next;
    }

    boolean hasPending() {
        for (Entry e : table) {
            if (e.used && e.mac < 0 && e.retries > 0) {
                return true;
            }
        }
        return false;
    }

    void request(int targetIp) {
        send(1, BROADCAST, 0, targetIp);
    }

    void gratuitous() {
        send(1, BROADCAST, 0, stack.address);
    }

    /** Writes an ARP packet (RFC 826 layout) for our MAC/IP. */
    void send(int op, long dstMac, long targetMac, int targetIp) {
        MemorySegment f = stack.sink.acquire(60);
        if (f == null) {
            stack.stats.inc(Stat.ETH_TX_NO_BUFFER);
            return;
        }
        Wire.putMac(f, 0, dstMac);
        Wire.putMac(f, 6, stack.mac);
        Wire.put16(f, 12, NetStack.ETH_ARP);
        Wire.put16(f, 14, 1);
        Wire.put16(f, 16, NetStack.ETH_IPV4);
        Wire.put8(f, 18, 6);
        Wire.put8(f, 19, 4);
        Wire.put16(f, 20, op);
        Wire.putMac(f, 22, stack.mac);
        Wire.put32(f, 28, stack.address);
        Wire.putMac(f, 32, targetMac);
        Wire.put32(f, 38, targetIp);
        f.asSlice(42, 18).fill((byte) 0);
        stack.stats.inc(Stat.ARP_TX);
        stack.transmit(f, 60);
    }

    void input(MemorySegment b, long off, long len, long now) {
        StackStats st = stack.stats;
        st.inc(Stat.ARP_RX);
        int htype = len < 28 ? 0 : Wire.u16(b, off);
        // Ethernet (1) or IEEE 802 (6), as Linux takes on an Ethernet device (RFC 1042 hosts send 6)
        if (len < 28 || (htype != 1 && htype != 6) || Wire.u16(b, off + 2) != NetStack.ETH_IPV4
                || Wire.u8(b, off + 4) != 6 || Wire.u8(b, off + 5) != 4) {
            st.inc(Stat.ARP_DROP_MALFORMED);
            return;
        }
        int op = Wire.u16(b, off + 6);
        long sha = Wire.mac(b, off + 8);
        int spa = Wire.i32(b, off + 14);
        int tpa = Wire.i32(b, off + 24);
        if ((op != 1 && op != 2) || (sha & 0x0100_0000_0000L) != 0 || sha == 0) {
            // A group or zero sender MAC maps no host (RFC 1812 3.3.2); Linux answers and learns it, we do not.
            st.inc(Stat.ARP_DROP_MALFORMED);
            return;
        }
        if (spa == stack.address) {
            st.inc(Stat.ARP_DROP_MALFORMED); // someone else claims our address (or our own echo)
            return;
        }
        boolean forUs = tpa == stack.address;
        if (spa != 0) {
            learn(spa, sha, forUs, now);
        }
        if (!forUs) {
            st.inc(Stat.ARP_DROP_NOT_FOR_US);
            return;
        }
        if (op == 1) {
            st.inc(Stat.ARP_REQUESTS_ANSWERED);
            send(2, sha, sha, spa);
        }
    }

    List<ArpEntry> snapshot(long now) {
        List<ArpEntry> r = new ArrayList<>();
        for (Entry e : table) {
            if (e.used) {
                r.add(new ArpEntry(Wire.ip(e.ip), e.mac >= 0 ? Wire.mac(e.mac) : "incomplete", e.mac >= 0,
                        e.mac >= 0 ? (e.expires - now) / 1_000_000L : 0));
            }
        }
        return r;
    }
}
