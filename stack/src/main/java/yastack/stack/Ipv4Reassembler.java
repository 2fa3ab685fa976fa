package yastack.stack;

import java.lang.foreign.MemorySegment;

/**
 * IPv4 fragment reassembly (RFC 791, RFC 815 style hole tracking) with a bounded number of datagrams in progress,
 * a timeout, and overlapping fragments treated as an attack (the whole datagram is dropped, as Linux does). A
 * datagram whose first fragment came but not the rest in time earns its sender an ICMP time exceeded (RFC 792,
 * RFC 1122 3.3.2), quoting that fragment, as Linux sends. The fragments' ECN fields combine as RFC 3168 5.3 asks
 * and Linux does: a CE mark on any fragment of an ECN-capable datagram marks it, and a datagram whose fragments
 * are partly not ECN-capable is dropped.
 */
final class Ipv4Reassembler {
    private static final int MAX_PAYLOAD = 65535 - 20;
    private static final int MAX_FRAGMENTS = 64;

    private static final class Slot {
        boolean used;
        int src, dst, id, proto;
        long deadline;
        int totalPayload = -1;
        /** The first fragment's header (firstIhl bytes) and payload length, once it came; its payload is in buf. */
        final byte[] firstHeader = new byte[60];
        int firstIhl;
        int firstLen;
        /** One bit per ECN field seen among its fragments (1 << field). */
        int ecnSeen;
        byte[] buf;
        MemorySegment seg;
        final SeqRanges ranges = new SeqRanges(MAX_FRAGMENTS);
    }

    private final NetStack stack;
    private final Slot[] slots;
    int completeLength;
    /** A first fragment as a time exceeded quotes it: its header, then its payload (as much as ICMP quotes). */
    private final MemorySegment quote = MemorySegment.ofArray(new byte[60 + 576]);

    Ipv4Reassembler(NetStack stack) {
        this.stack = stack;
        slots = new Slot[Math.max(1, stack.cfg.reassemblyMaxDatagrams)];
        for (int i = 0; i < slots.length; i++) {
            slots[i] = new Slot();
        }
    }

    private void free(Slot s) {
        s.used = false;
        s.ranges.clear();
        s.totalPayload = -1;
        s.firstIhl = 0;
        s.ecnSeen = 0;
    }

    /** The datagram's time ran out: dropped, and its sender told when the first fragment came. */
    private void expire(Slot s) {
        stack.stats.inc(Stat.IP_FRAG_DROP_TIMEOUT);
        if (s.firstIhl > 0 && !stack.isBroadcast(s.dst)) {
            int data = Math.min(s.firstLen, 576);
            MemorySegment.copy(MemorySegment.ofArray(s.firstHeader), 0, quote, 0, s.firstIhl);
            MemorySegment.copy(s.seg, 20, quote, s.firstIhl, data);
            stack.icmp.sendTimeExceeded(quote, 0, s.firstIhl + data, s.src, 1);
        }
        free(s);
    }

    /** Adds one fragment; returns the whole datagram (IP header at 0, length in completeLength) or null. */
    MemorySegment add(MemorySegment b, long ipOff, int ihl, int total, long now) {
        StackStats st = stack.stats;
        st.inc(Stat.IP_FRAG_RX);
        int fl = Wire.u16(b, ipOff + 6);
        boolean mf = (fl & 0x2000) != 0;
        int off = (fl & 0x1fff) * 8;
        int len = total - ihl;
        int src = Wire.i32(b, ipOff + 12);
        int dst = Wire.i32(b, ipOff + 16);
        int id = Wire.u16(b, ipOff + 4);
        int proto = Wire.u8(b, ipOff + 9);
        if (len <= 0 || (mf && (len & 7) != 0) || off + len > MAX_PAYLOAD) {
            st.inc(Stat.IP_FRAG_DROP_BAD);
            return null;
        }
        Slot s = null;
        Slot free = null;
        for (Slot x : slots) {
            if (x.used) {
                if (now >= x.deadline) {
                    expire(x);
                } else if (x.src == src && x.dst == dst && x.id == id && x.proto == proto) {
                    s = x;
                    break;
                }
            }
            if (!x.used && free == null) {
                free = x;
            }
        }
        if (s == null) {
            if (free == null) {
                st.inc(Stat.IP_FRAG_DROP_LIMIT);
                return null;
            }
            s = free;
            s.used = true;
            s.src = src;
            s.dst = dst;
            s.id = id;
            s.proto = proto;
            s.deadline = now + stack.cfg.reassemblyTimeoutNanos;
            stack.scheduleAt(s.deadline);
            if (s.buf == null) {
                s.buf = new byte[65536];
                s.seg = MemorySegment.ofArray(s.buf);
            }
        }
        int end = off + len;
        SeqRanges r = s.ranges;
        for (int i = 0; i < r.count; i++) {
            if (r.start[i] == off && r.end[i] == end) {
                return null; // exact duplicate: harmless
            }
            if (off < r.end[i] && end > r.start[i]) {
                st.inc(Stat.IP_FRAG_DROP_OVERLAP);
                free(s);
                return null;
            }
        }
        if (!mf) {
            if (s.totalPayload >= 0 && s.totalPayload != end) {
                st.inc(Stat.IP_FRAG_DROP_BAD);
                free(s);
                return null;
            }
            s.totalPayload = end;
        }
        if ((s.totalPayload >= 0 && end > s.totalPayload) || !r.add(off, end)) {
            st.inc(s.totalPayload >= 0 && end > s.totalPayload ? Stat.IP_FRAG_DROP_BAD : Stat.IP_FRAG_DROP_LIMIT);
            free(s);
            return null;
        }
        MemorySegment.copy(b, ipOff + ihl, s.seg, 20 + off, len);
        s.ecnSeen |= 1 << (Wire.u8(b, ipOff + 1) & Ecn.MASK);
        if (off == 0) {
            MemorySegment.copy(b, ipOff, MemorySegment.ofArray(s.firstHeader), 0, ihl);
            s.firstIhl = ihl;
            s.firstLen = len;
        }
        if (s.totalPayload < 0 || r.count != 1 || r.start[0] != 0 || r.end[0] != s.totalPayload) {
            return null;
        }
        int notEct = 1 << Ecn.NOT_ECT;
        if ((s.ecnSeen & notEct) != 0 && s.ecnSeen != notEct) {
            st.inc(Stat.IP_FRAG_DROP_ECN); // a path that clears the field on some fragments only
            free(s);
            return null;
        }
        int tos = (s.firstHeader[1] & 0xff) | ((s.ecnSeen & 1 << Ecn.CE) != 0 ? Ecn.CE : 0);
        MemorySegment d = s.seg;
        Wire.put8(d, 0, 0x45);
        Wire.put8(d, 1, tos); // the first fragment's type of service, which a reply carries back, marked CE if one was
        Wire.put16(d, 2, 20 + s.totalPayload);
        Wire.put16(d, 4, id);
        Wire.put16(d, 6, 0);
        Wire.put8(d, 8, 64);
        Wire.put8(d, 9, proto);
        Wire.put16(d, 10, 0);
        Wire.put32(d, 12, src);
        Wire.put32(d, 16, dst);
        completeLength = 20 + s.totalPayload;
        free(s);
        st.inc(Stat.IP_FRAG_REASSEMBLED);
        return d;
    }

    long poll(long now) {
        long next = Long.MAX_VALUE;
        for (Slot x : slots) {
            if (x.used) {
                if (now >= x.deadline) {
                    expire(x);
                } else {
                    next = Math.min(next, x.deadline);
                }
            }
        }
        return next;
    }
}
