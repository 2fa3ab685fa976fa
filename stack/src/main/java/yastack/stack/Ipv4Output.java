package yastack.stack;

import java.lang.foreign.MemorySegment;

/**
 * IPv4 frames out: Ethernet and IP headers written straight into a sink buffer, the next hop's MAC from ARP.
 * A frame to an unresolved hop is built in a scratch buffer and parked on its ARP entry; a datagram above the MTU
 * (never TCP, which sends DF) is built whole and sent as fragments.
 */
final class Ipv4Output {
    private final NetStack stack;
    private final StackConfig cfg;
    private final StackStats stats;
    private final FrameSink sink;
    private final ArpTable arp;
    private final long mac;
    private final int address;
    private final MemorySegment scratch;
    private MemorySegment bigScratch;
    private int ipId;
    // transmit in progress (beginIp .. endIp); never nested
    private boolean txUnresolved;
    private int txHop;
    private long txMac;
    private boolean txFragment;

    Ipv4Output(NetStack stack) {
        this.stack = stack;
        this.cfg = stack.cfg;
        this.stats = stack.stats;
        this.sink = stack.sink;
        this.arp = stack.arp;
        this.mac = stack.mac;
        this.address = stack.address;
        this.scratch = MemorySegment.ofArray(new byte[14 + Math.max(cfg.mtu, 1500) + 64]);
        this.ipId = (int) cfg.randomSeed & 0xffff;
    }

    /**
     * Starts an IPv4 frame to dst carrying l4Len bytes of protocol proto: writes Ethernet and IP headers and
     * returns the buffer (L4 header goes at {@link NetStack#L4_OFFSET}), or null when it cannot be sent.
     */
    MemorySegment beginIp(int dst, int proto, int l4Len) {
        return beginIp(dst, proto, l4Len, 0);
    }

    /**
     * {@link #beginIp(int, int, int)} with type of service {@code tos}: a TCP segment's ECN field (RFC 3168 5), or
     * what a reply carries back of the datagram it answers, as Linux's do (echo replies and RSTs its TOS, ICMP errors
     * precedence 6 with its TOS bits).
     */
    MemorySegment beginIp(int dst, int proto, int l4Len, int tos) {
        int total = 20 + l4Len;
        boolean fragment = false;
        if (total > cfg.mtu) {
            if (proto == NetStack.PROTO_TCP || total > 65535) {
                stats.inc(Stat.IP_DROP_TOO_BIG);
                return null;
            }
            fragment = true; // built whole, sent as fragments by endIp (RFC 791 3.2)
        }
        long dmac;
        int hop;
        if (stack.isBroadcast(dst)) {
            dmac = ArpTable.BROADCAST;
            hop = dst;
        } else {
            if (stack.onLink(dst)) {
                hop = dst;
            } else if (cfg.gateway != 0) {
                hop = cfg.gateway;
            } else {
                stats.inc(Stat.IP_DROP_NO_ROUTE);
                return null;
            }
            dmac = arp.lookup(hop, stack.now);
        }
        MemorySegment f;
        txFragment = fragment;
        txMac = dmac;
        txHop = hop;
        if (fragment) {
            if (bigScratch == null) {
                bigScratch = MemorySegment.ofArray(new byte[14 + 65536]);
            }
            f = bigScratch;
            txUnresolved = dmac < 0;
        } else if (dmac >= 0) {
            f = sink.acquire(Math.max(60, 14 + total));
            if (f == null) {
                stats.inc(Stat.ETH_TX_NO_BUFFER);
                return null;
            }
            txUnresolved = false;
            Wire.putMac(f, 0, dmac);
        } else {
            f = scratch;
            txUnresolved = true;
            txHop = hop;
            Wire.putMac(f, 0, 0);
        }
        Wire.putMac(f, 0, Math.max(dmac, 0));
        Wire.putMac(f, 6, mac);
        Wire.put16(f, 12, NetStack.ETH_IPV4);
        int id = ipId++;
        int flags = proto == NetStack.PROTO_TCP ? 0x4000 : 0;
        Wire.put32(f, 14, 0x45000000 | tos << 16 | total);
        Wire.put16(f, 18, id);
        Wire.put16(f, 20, flags);
        Wire.put8(f, 22, cfg.ttl);
        Wire.put8(f, 23, proto);
        Wire.put16(f, 24, Wire.ipv4HeaderChecksum(tos, total, id, flags, cfg.ttl, proto, address, dst));
        Wire.put32(f, 26, address);
        Wire.put32(f, 30, dst);
        return f;
    }

    void endIp(MemorySegment f, int frameLen) {
        stats.inc(Stat.IP_TX);
        if (txFragment) {
            txFragment = false;
            sendFragments(f, frameLen);
            return;
        }
        if (txUnresolved) {
            txUnresolved = false;
            arp.queue(txHop, f, frameLen);
            return;
        }
        stack.transmit(f, frameLen);
    }

    private void sendFragments(MemorySegment whole, int frameLen) {
        int payload = frameLen - NetStack.L4_OFFSET;
        int chunkMax = (cfg.mtu - 20) & ~7;
        boolean unresolved = txUnresolved;
        txUnresolved = false;
        for (int off = 0; off < payload; off += chunkMax) {
            int n = Math.min(chunkMax, payload - off);
            boolean more = off + n < payload;
            int len = NetStack.L4_OFFSET + n;
            MemorySegment f = unresolved ? scratch : sink.acquire(Math.max(60, len));
            if (f == null) {
                stats.inc(Stat.ETH_TX_NO_BUFFER);
                return;
            }
            MemorySegment.copy(whole, 0, f, 0, NetStack.L4_OFFSET);
            MemorySegment.copy(whole, NetStack.L4_OFFSET + off, f, NetStack.L4_OFFSET, n);
            Wire.put16(f, 16, 20 + n);
            Wire.put16(f, 20, (more ? 0x2000 : 0) | (off >>> 3));
            Wire.put16(f, 24, 0);
            Wire.put16(f, 24, Wire.checksum(f, 14, 20));
            if (unresolved) {
                arp.queue(txHop, f, len);
            } else {
                stack.transmit(f, len);
            }
        }
    }
}
