package yastack.stack;

import java.lang.foreign.MemorySegment;

/**
 * Received frames up to the transport layer: Ethernet II, ARP hand-off, IPv4 header checks and reassembly, then
 * dispatch to ICMP, UDP and TCP. Reads the frame in place; every malformed or unwanted frame is counted, never
 * thrown.
 */
final class FrameInput {
    private final NetStack stack;
    private final StackStats stats;
    private final long mac;
    private final int address;
    private final ArpTable arp;
    private final Ipv4Reassembler reasm;
    private final Icmp icmp;
    private final UdpLayer udp;
    private final TcpLayer tcp;

    FrameInput(NetStack stack, Ipv4Reassembler reasm) {
        this.stack = stack;
        this.stats = stack.stats;
        this.mac = stack.mac;
        this.address = stack.address;
        this.arp = stack.arp;
        this.reasm = reasm;
        this.icmp = stack.icmp;
        this.udp = stack.udp;
        this.tcp = stack.tcp;
    }

    void ethernet(MemorySegment f, long len) {
        stats.inc(Stat.ETH_RX);
        if (len < 14) {
            stats.inc(Stat.ETH_DROP_TRUNCATED);
            return;
        }
        long dst = Wire.mac(f, 0);
        boolean bcast = dst == ArpTable.BROADCAST;
        if (dst != mac && !bcast) {
            stats.inc(Stat.ETH_DROP_NOT_FOR_US);
            return;
        }
        int type = Wire.u16(f, 12);
        switch (type) {
            case NetStack.ETH_IPV4 -> ipv4(f, 14, len - 14, bcast);
            case NetStack.ETH_ARP -> arp.input(f, 14, len - 14, stack.now);
            case 0x8100, 0x88a8 -> stats.inc(Stat.ETH_DROP_VLAN);
            default -> stats.inc(Stat.ETH_DROP_UNKNOWN_TYPE);
        }
    }

    private void ipv4(MemorySegment f, long off, long len, boolean l2bcast) {
        stats.inc(Stat.IP_RX);
        if (len < 20) {
            stats.inc(Stat.IP_DROP_TRUNCATED);
            return;
        }
        int vihl = Wire.u8(f, off);
        if ((vihl >>> 4) != 4) {
            stats.inc(Stat.IP_DROP_BAD_VERSION);
            return;
        }
        int ihl = (vihl & 15) * 4;
        if (ihl < 20 || ihl > len) {
            stats.inc(Stat.IP_DROP_BAD_HEADER_LENGTH);
            return;
        }
        int total = Wire.u16(f, off + 2);
        if (total < ihl || total > len) {
            stats.inc(Stat.IP_DROP_BAD_TOTAL_LENGTH);
            return;
        }
        if (Wire.checksum(f, off, ihl) != 0) {
            stats.inc(Stat.IP_DROP_BAD_CHECKSUM);
            return;
        }
        int src = Wire.i32(f, off + 12);
        int dst = Wire.i32(f, off + 16);
        boolean bcast = stack.isBroadcast(dst);
        if (dst != address && !bcast) {
            stats.inc(Stat.IP_DROP_NOT_FOR_US);
            return;
        }
        if (src == address || stack.isBroadcast(src) || (src >>> 28) == 0xE || (src >>> 24) == 127 || src == 0 || (src >>> 28) == 0xF) {
            stats.inc(Stat.IP_DROP_BAD_SOURCE);
            return;
        }
        if (ihl > 20) {
            int verdict = Ipv4Options.check(f, off, ihl);
            if (verdict == Ipv4Options.SOURCE_ROUTED) {
                stats.inc(Stat.IP_DROP_SOURCE_ROUTED);
                return;
            }
            if (verdict != Ipv4Options.OK) {
                stats.inc(Stat.IP_DROP_BAD_OPTIONS);
                if (!bcast && !l2bcast) {
                    icmp.sendParameterProblem(f, off, total, src, verdict);
                }
                return;
            }
        }
        int proto = Wire.u8(f, off + 9);
        int frag = Wire.u16(f, off + 6);
        MemorySegment b = f;
        long ipOff = off;
        if ((frag & 0x3fff) != 0) {
            b = reasm.add(f, off, ihl, total, stack.now);
            if (b == null) {
                return;
            }
            ipOff = 0;
            ihl = 20;
            total = reasm.completeLength;
        }
        long l4 = ipOff + ihl;
        int l4len = total - ihl;
        switch (proto) {
            case NetStack.PROTO_TCP -> {
                if (bcast || l2bcast) {
                    stats.inc(Stat.IP_DROP_NOT_FOR_US);
                    return;
                }
                tcp.input(b, l4, l4len, src, dst, Wire.u8(b, ipOff + 1));
            }
            // RFC 1122 3.2.2: no ICMP error for a datagram sent as a link-layer broadcast either
            case NetStack.PROTO_UDP -> udp.input(b, ipOff, l4, l4len, src, dst, bcast || l2bcast);
            case NetStack.PROTO_ICMP -> icmp.input(b, ipOff, l4, l4len, src, bcast || l2bcast);
            default -> {
                stats.inc(Stat.IP_DROP_UNKNOWN_PROTOCOL);
                if (!bcast && !l2bcast) {
                    icmp.sendUnreachable(b, ipOff, total, src, 2);
                }
            }
        }
    }
}
