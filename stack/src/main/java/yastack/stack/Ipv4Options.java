package yastack.stack;

import java.lang.foreign.MemorySegment;

/**
 * IPv4 options (RFC 791 3.1) of a datagram for us, checked as Linux checks them
 * ({@code ip_options_compile}): a malformed option earns an ICMP parameter problem pointing at
 * the offending byte (RFC 1122 3.2.2.5) and the datagram is dropped; a source route is dropped
 * silently, as Linux does with {@code accept_source_route=0} and RFC 7126 4.3 recommends (a
 * host that honoured it would answer along a path the sender chose). Unknown options are
 * ignored (RFC 1122 3.2.1.8). An echo reply carries back Record Route and Timestamp with our
 * entries added on the way in and out ({@link #forReply}), and so does an ICMP error.
 */
final class Ipv4Options {
    static final int OK = 0;
    /** A loose or strict source route: dropped without an answer. */
    static final int SOURCE_ROUTED = -1;

    private static final int EOL = 0, NOP = 1, RR = 7, TS = 68, LSRR = 131, SSRR = 137, RA = 148;
    private static final int TS_ONLY = 0, TS_AND_ADDR = 1, TS_PRESPEC = 3;

    private Ipv4Options() {}

    /**
     * The verdict on the options of the header at {@code ip} ({@code ihl} bytes with them):
     * {@link #OK}, {@link #SOURCE_ROUTED}, or the offset from the header's start of the byte a
     * parameter problem points at.
     */
    static int check(MemorySegment b, long ip, int ihl) {
        boolean srr = false, rr = false, ts = false;
        int p = 20;
        while (p < ihl) {
            int kind = Wire.u8(b, ip + p);
            if (kind == EOL) break;
            if (kind == NOP) {
                p++;
                continue;
            }
            if (ihl - p < 2) return p;
            int len = Wire.u8(b, ip + p + 1);
            if (len < 2 || len > ihl - p) return p;
            int ptr = len > 2 ? Wire.u8(b, ip + p + 2) : 0;
            switch (kind) {
                case LSRR, SSRR -> {
                    if (len < 3) return p + 1;
                    if (ptr < 4) return p + 2;
                    if (srr) return p;
                    srr = true;
                }
                case RR -> {
                    if (rr) return p;
                    if (len < 3) return p + 1;
                    if (ptr < 4) return p + 2;
                    if (ptr <= len && ptr + 3 > len) return p + 2;
                    rr = true;
                }
                case TS -> {
                    if (ts) return p;
                    if (len < 4) return p + 1;
                    if (ptr < 5) return p + 2;
                    int flags = Wire.u8(b, ip + p + 3);
                    int flag = flags & 15;
                    if (ptr <= len) {
                        if (ptr + 3 > len) return p + 2;
                        if ((flag == TS_AND_ADDR || flag == TS_PRESPEC) && ptr + 7 > len) return p + 2;
                    } else if (flag != TS_PRESPEC && flags >>> 4 == 15) {
                        return p + 3; // full, and its overflow count would pass 15
                    }
                    ts = true;
                }
                case RA -> {
                    if (len < 4) return p + 1;
                }
                default -> { // security, stream id and the rest: ignored
                }
            }
            p += len;
        }
        return srr ? SOURCE_ROUTED : OK;
    }

    /**
     * The options a reply to the header at {@code ip} carries, an echo reply or an ICMP error
     * (as Linux's {@code ip_options_echo}): its Record Route and Timestamp options that end by
     * {@code limit} (the header's end, or where a bad option begins), in that order, each with
     * our entries for the way in and the way out while there is room (a Timestamp already full
     * counts one overflow, on the way in), padded with end-of-options to a multiple of 4 bytes;
     * null when it has neither.
     */
    static byte[] forReply(MemorySegment b, long ip, int limit, int self, int msOfDay) {
        byte[] rr = null, ts = null;
        for (int p = 20; p < limit; ) {
            int kind = Wire.u8(b, ip + p);
            if (kind == EOL) break;
            if (kind == NOP) {
                p++;
                continue;
            }
            if (p + 2 > limit) break;
            int len = Wire.u8(b, ip + p + 1);
            if (len < 2 || p + len > limit) break;
            if (kind == RR || kind == TS) {
                byte[] o = new byte[len];
                MemorySegment.copy(b, ip + p, MemorySegment.ofArray(o), 0, len);
                for (int pass = 0; pass < 2; pass++) {
                    if (kind == RR) record(o, self);
                    else stamp(o, self, msOfDay, pass == 0);
                }
                if (kind == RR) rr = o;
                else ts = o;
            }
            p += len;
        }
        if (rr == null && ts == null) return null;
        int n = (rr == null ? 0 : rr.length) + (ts == null ? 0 : ts.length);
        byte[] all = new byte[(n + 3) & ~3];
        if (rr != null) System.arraycopy(rr, 0, all, 0, rr.length);
        if (ts != null) System.arraycopy(ts, 0, all, rr == null ? 0 : rr.length, ts.length);
        return all;
    }

    /** Record Route: our address in the next free slot, if there is one. */
    private static void record(byte[] o, int self) {
        int ptr = o[2] & 0xff; // 1-based offset of the next free slot
        if (ptr + 3 <= o.length) {
            put32(o, ptr - 1, self);
            o[2] = (byte) (ptr + 4);
        }
    }

    /**
     * Timestamp: our time in the next free slot (with our address before it, or where the
     * prespecified address is ours); when it is full on the way in, one more overflow.
     */
    private static void stamp(byte[] o, int self, int msOfDay, boolean in) {
        int ptr = o[2] & 0xff;
        int flag = o[3] & 15;
        if (ptr > o.length) {
            if (in && flag != TS_PRESPEC) o[3] = (byte) (((o[3] & 0xff) >>> 4) + 1 << 4 | flag);
            return;
        }
        switch (flag) {
            case TS_ONLY -> {
                if (ptr + 3 > o.length) return;
                put32(o, ptr - 1, msOfDay);
                o[2] = (byte) (ptr + 4);
            }
            case TS_AND_ADDR -> {
                if (ptr + 7 > o.length) return;
                put32(o, ptr - 1, self);
                put32(o, ptr + 3, msOfDay);
                o[2] = (byte) (ptr + 8);
            }
            case TS_PRESPEC -> {
                if (ptr + 7 > o.length || get32(o, ptr - 1) != self) return;
                put32(o, ptr + 3, msOfDay);
                o[2] = (byte) (ptr + 8);
            }
            default -> {
            }
        }
    }

    private static void put32(byte[] o, int at, int v) {
        o[at] = (byte) (v >>> 24);
        o[at + 1] = (byte) (v >>> 16);
        o[at + 2] = (byte) (v >>> 8);
        o[at + 3] = (byte) v;
    }

    private static int get32(byte[] o, int at) {
        return (o[at] & 0xff) << 24 | (o[at + 1] & 0xff) << 16 | (o[at + 2] & 0xff) << 8 | (o[at + 3] & 0xff);
    }
}
