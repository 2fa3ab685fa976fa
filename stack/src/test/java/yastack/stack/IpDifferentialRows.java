package yastack.stack;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * Rows of {@link LinuxDifferentialTest} below TCP: ARP (RFC 826), IPv4 (RFC 791, 1122) and ICMP (RFC 792). The
 * answers are described by type, code, lengths, TTL and DF, the fields a peer sees.
 */
final class IpDifferentialRows {
    private static final int ECHO_ID = 0x1234;
    private static final int BROADCAST = Probe.STACK | 0xff;

    private IpDifferentialRows() {}

    static void addTo(List<LinuxDifferentialRows.Row> rows) {
        rows.add(row("ARP: request for our address", p -> p.frame("who-has", Probe.arp(1, Probe.PEER_MAC, Probe.PEER, 0, Probe.STACK))));
        rows.add(row("ARP: request for another address",
                p -> p.frame("who-has .77", Probe.arp(1, Probe.PEER_MAC, Probe.PEER, 0, Probe.STACK + 75))));
        rows.add(row("ARP: probe for our address (sender 0.0.0.0)", p -> p.frame("probe", Probe.arp(1, Probe.PEER_MAC, 0, 0, Probe.STACK))));
        rows.add(row("ARP: request from another subnet", p -> p.frame("who-has from 192.168.5.5",
                Probe.arp(1, Probe.PEER_MAC, Wire.parseIp("192.168.5.5"), 0, Probe.STACK))));
        rows.add(row("ARP: request with a hardware type other than Ethernet", p -> {
            byte[] f = Probe.arp(1, Probe.PEER_MAC, Probe.PEER, 0, Probe.STACK);
            f[15] = 6; // IEEE 802
            p.frame("who-has, htype 6", f);
        }));
        rows.add(row("ARP: request with a protocol other than IPv4", p -> {
            byte[] f = Probe.arp(1, Probe.PEER_MAC, Probe.PEER, 0, Probe.STACK);
            f[16] = (byte) 0x86;
            f[17] = (byte) 0xdd;
            p.frame("who-has, ptype IPv6", f);
        }));
        rows.add(row("ARP: request with a hardware length of 8", p -> {
            byte[] f = Probe.arp(1, Probe.PEER_MAC, Probe.PEER, 0, Probe.STACK);
            f[18] = 8;
            p.frame("who-has, hlen 8", f);
        }));
        rows.add(row("ARP: request from a broadcast sender address", p -> p.frame("who-has from .255",
                Probe.arp(1, Probe.PEER_MAC, BROADCAST, 0, Probe.STACK))));
        rows.add(row("ARP: request from a multicast sender MAC", p -> p.frame("who-has from 01:00:5e..",
                Probe.arp(1, 0x01_00_5e_00_00_01L, Probe.PEER, 0, Probe.STACK))));
        rows.add(row("ARP: an operation other than request or reply", p -> {
            byte[] f = Probe.arp(1, Probe.PEER_MAC, Probe.PEER, 0, Probe.STACK);
            f[21] = 3; // RARP request
            p.frame("op 3", f);
        }));
        rows.add(row("ARP: request sent to our MAC (unicast)", p -> {
            byte[] f = Probe.arp(1, Probe.PEER_MAC, Probe.PEER, 0, Probe.STACK);
            ByteBuffer.wrap(f).putShort(0, (short) (Probe.STACK_MAC >>> 32)).putInt(2, (int) Probe.STACK_MAC);
            p.frame("unicast who-has", f);
        }));
        rows.add(row("ICMP: echo request of 3000 bytes in three fragments", p -> {
            byte[] icmp = echo(8, 11, 2992);
            List<String> all = new java.util.ArrayList<>();
            for (int off = 0; off < icmp.length; off += 1480) {
                int n = Math.min(1480, icmp.length - off);
                byte[] f = ip(Probe.STACK_MAC, Probe.STACK, 1, 64, java.util.Arrays.copyOfRange(icmp, off, off + n), false);
                fragment(f, off, off + n < icmp.length);
                p.frame("fragment at " + off, f);
            }
        }));
        rows.add(row("ICMP: the first fragment alone, until reassembly gives up", p -> loneFragment(p, 27, 0)));
        rows.add(row("ICMP: a later fragment alone, until reassembly gives up", p -> loneFragment(p, 28, 1480)));
        rows.add(row("ICMP: overlapping fragments", p -> {
            byte[] icmp = echo(8, 12, 2000);
            byte[] a = ip(Probe.STACK_MAC, Probe.STACK, 1, 64, java.util.Arrays.copyOfRange(icmp, 0, 1200), false);
            fragment(a, 0, true);
            byte[] b = ip(Probe.STACK_MAC, Probe.STACK, 1, 64, java.util.Arrays.copyOfRange(icmp, 1000, icmp.length), false);
            fragment(b, 1000, false);
            p.frame("first 1200 B", a);
            p.frame("from 1000 on", b);
        }));
        rows.add(row("ICMP: echo request", p -> p.frame("echo", ip(Probe.STACK_MAC, Probe.STACK, 1, 64, echo(8, 1, 56), false))));
        rows.add(row("ICMP: echo request with TTL 1", p -> p.frame("echo ttl 1", ip(Probe.STACK_MAC, Probe.STACK, 1, 1, echo(8, 2, 8), false))));
        rows.add(row("ICMP: echo request to the broadcast address",
                p -> p.frame("echo to .255", ip(0xFFFF_FFFF_FFFFL, BROADCAST, 1, 64, echo(8, 3, 8), false))));
        rows.add(row("ICMP: echo request with a bad ICMP checksum", p -> {
            byte[] e = echo(8, 4, 8);
            e[2] ^= 0x55;
            p.frame("echo, bad checksum", ip(Probe.STACK_MAC, Probe.STACK, 1, 64, e, false));
        }));
        rows.add(row("ICMP: timestamp request", p -> p.frame("timestamp", ip(Probe.STACK_MAC, Probe.STACK, 1, 64, echo(13, 5, 12), false))));
        rows.add(row("ICMP: echo reply nobody asked for", p -> p.frame("echo reply", ip(Probe.STACK_MAC, Probe.STACK, 1, 64, echo(0, 6, 8), false))));
        rows.add(row("IP: UDP to a closed port", p -> p.frame("UDP :9", ip(Probe.STACK_MAC, Probe.STACK, 17, 64, udp(9, 20), false))));
        rows.add(row("IP: UDP to a closed port, 1000 bytes",
                p -> p.frame("UDP :9 1000 B", ip(Probe.STACK_MAC, Probe.STACK, 17, 64, udp(9, 1000), false))));
        rows.add(row("IP: unknown protocol 253", p -> p.frame("proto 253", ip(Probe.STACK_MAC, Probe.STACK, 253, 64, new byte[16], false))));
        rows.add(row("IP: bad header checksum", p -> p.frame("bad csum", ip(Probe.STACK_MAC, Probe.STACK, 1, 64, echo(8, 7, 8), true))));
        rows.add(row("IP: UDP with a bad checksum to a closed port", p -> p.frame("UDP :9, bad checksum", udpWith(6, 0x1234))));
        rows.add(row("UDP: length field past the datagram", p -> p.frame("UDP :9 length 40 of 28", udpWith(4, 40))));
        rows.add(row("UDP: length field short of the datagram", p -> p.frame("UDP :9 length 12 of 28", udpWith(4, 12))));
        rows.add(row("UDP: length field below the header", p -> p.frame("UDP :9 length 4", udpWith(4, 4))));
        rows.add(row("UDP: a header cut short", p -> p.frame("UDP 6 B", ip(Probe.STACK_MAC, Probe.STACK, 17, 64, new byte[] {(byte) 0x80, (byte) 0xe8, 0, 9, 0, 8}, false))));
        rows.add(row("ICMP: echo request with an odd length", p -> p.frame("echo 9 B", ip(Probe.STACK_MAC, Probe.STACK, 1, 64, echo(8, 29, 9), false))));
        rows.add(row("ICMP: echo request with no data", p -> p.frame("echo 0 B", ip(Probe.STACK_MAC, Probe.STACK, 1, 64, echo(8, 30, 0), false))));
        rows.add(row("ICMP: echo request with code 5", p -> {
            byte[] e = echo(8, 31, 8);
            e[1] = 5;
            ByteBuffer.wrap(e).putShort(2, (short) 0).putShort(2, (short) Pkt.csum(e, 0, e.length, 0));
            p.frame("echo code 5", ip(Probe.STACK_MAC, Probe.STACK, 1, 64, e, false));
        }));
        rows.add(row("ICMP: information request", p -> p.frame("type 15", ip(Probe.STACK_MAC, Probe.STACK, 1, 64, echo(15, 32, 0), false))));
        rows.add(row("ICMP: address mask request", p -> p.frame("type 17", ip(Probe.STACK_MAC, Probe.STACK, 1, 64, echo(17, 33, 4), false))));
        rows.add(row("ICMP: timestamp request cut short", p -> p.frame("timestamp 8 B", ip(Probe.STACK_MAC, Probe.STACK, 1, 64, echo(13, 34, 0), false))));
        rows.add(row("ICMP: an unknown type", p -> p.frame("type 42", ip(Probe.STACK_MAC, Probe.STACK, 1, 64, echo(42, 35, 8), false))));
        rows.add(row("IP: total length below the header's", p -> p.frame("echo, total length 16", echoWith(36, b -> b.putShort(16, (short) 16)))));
        rows.add(row("IP: frame longer than the total length (padding)", p -> {
            byte[] f = ip(Probe.STACK_MAC, Probe.STACK, 1, 64, echo(8, 37, 8), false);
            p.frame("echo + 20 B of padding", java.util.Arrays.copyOf(f, f.length + 20));
        }));
        rows.add(row("IP: echo request with the reserved flag set", p -> p.frame("echo, evil bit", echoWith(38, b -> b.putShort(20, (short) 0x8000)))));
        rows.add(row("IP: echo request with DF set", p -> p.frame("echo, DF", echoWith(39, b -> b.putShort(20, (short) 0x4000)))));
        rows.add(row("IP: echo request with 40 bytes of NOP options", p -> p.frame("echo + 40 NOPs",
                withOptions(echo(8, 40, 8), 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1))));
        rows.add(row("IP: total length past the frame", p -> p.frame("echo, total length 200 in 36", echoWith(41, b -> b.putShort(16, (short) 200)))));
        rows.add(row("IP: a datagram from a multicast source",
                p -> p.frame("echo from 224.0.0.9", echoWith(42, b -> b.putInt(26, Wire.parseIp("224.0.0.9"))))));
        rows.add(row("IP: a datagram to a multicast address", p -> {
            byte[] f = ip(0x01_00_5e_00_00_01L, Wire.parseIp("224.0.0.1"), 1, 64, echo(8, 43, 8), false);
            p.frame("echo to 224.0.0.1", f);
        }));
        rows.add(row("IP: fragment that would pass 65535 bytes", p -> {
            byte[] f = ip(Probe.STACK_MAC, Probe.STACK, 1, 64, new byte[1000], false);
            fragment(f, 65528 - 8, false);
            p.frame("fragment at 65520 of 1000 B", f);
        }));
        rows.add(row("ICMP: unreachables to one peer, rate limited as by default", p -> {
            // The namespace runs with icmp_ratelimit=0 (see LinuxTarget); this row puts Linux's default back
            // and waits until the peer's budget is full again (six errors, refilled at one per second).
            p.kernelSetting("net.ipv4.icmp_ratelimit=1000");
            try {
                p.idle("6.5 s later", 6500);
                for (int i = 0; i < 9; i++) {
                    p.frame("UDP :9 #" + i, ip(Probe.STACK_MAC, Probe.STACK, 17, 64, udp(9, 20), false));
                }
            } finally {
                p.kernelSetting("net.ipv4.icmp_ratelimit=0");
            }
        }));
        rows.add(row("IP: UDP to a closed port at the broadcast address",
                p -> p.frame("UDP .255:9", ip(0xFFFF_FFFF_FFFFL, BROADCAST, 17, 64, udp(9, 20), false))));
        rows.add(row("IP: UDP to a closed port, Ethernet broadcast",
                p -> p.frame("UDP :9 to ff:ff..", ip(0xFFFF_FFFF_FFFFL, Probe.STACK, 17, 64, udp(9, 20), false))));
        rows.add(row("IP: TCP SYN to a closed port, Ethernet broadcast", p -> p.frame("SYN to ff:ff..",
                Pkt.tcpFrame(0xFFFF_FFFF_FFFFL, Probe.PEER_MAC, Probe.PEER, Probe.STACK, p.sport, p.dport, 1, 0, Pkt.SYN, 1000, null, null))));
        rows.add(row("IP: TCP SYN to the broadcast address", p -> p.frame("SYN to .255",
                Pkt.tcpFrame(0xFFFF_FFFF_FFFFL, Probe.PEER_MAC, Probe.PEER, BROADCAST, p.sport, p.dport, 1, 0, Pkt.SYN, 1000, null, null))));
        rows.add(row("IP: TTL 0 to us", p -> p.frame("echo ttl 0", ip(Probe.STACK_MAC, Probe.STACK, 1, 0, echo(8, 8, 8), false))));
        rows.add(row("IP: for another host on the link", p -> p.frame("echo to .77", ip(Probe.STACK_MAC, Probe.STACK + 75, 1, 64, echo(8, 9, 8), false))));
        // RFC 791 options, checked as Linux's ip_options_compile does (RFC 1122 3.2.1.8, 3.2.2.5).
        rows.add(row("IP: echo request with IP options (record route)",
                p -> p.frame("echo + RR", withOptions(echo(8, 10, 8), opt(7, 11, 4)))));
        rows.add(row("IP: echo request with a timestamp option",
                p -> p.frame("echo + TS", withOptions(echo(8, 13, 8), opt(68, 12, 5, 0)))));
        rows.add(row("IP: echo request with a full timestamp option",
                p -> p.frame("echo + TS full", withOptions(echo(8, 14, 8), opt(68, 12, 13, 0)))));
        rows.add(row("IP: echo request with NOPs and an early end of options",
                p -> p.frame("echo + NOP NOP EOL", withOptions(echo(8, 15, 8), 1, 1, 0, 0))));
        rows.add(row("IP: echo request with a stream id option",
                p -> p.frame("echo + SID", withOptions(echo(8, 16, 8), opt(136, 4, 0, 1)))));
        rows.add(row("IP: echo request with a loose source route",
                p -> p.frame("echo + LSRR", withOptions(echo(8, 17, 8), opt(131, 7, 4, 10, 9, 9, 9)))));
        rows.add(row("IP: echo request with a strict source route",
                p -> p.frame("echo + SSRR", withOptions(echo(8, 18, 8), opt(137, 7, 4, 10, 9, 9, 9)))));
        rows.add(row("IP: option longer than the header's options",
                p -> p.frame("echo + RA of 12 in 4", withOptions(echo(8, 19, 8), 148, 12, 0, 0))));
        rows.add(row("IP: option length below 2",
                p -> p.frame("echo + length 1", withOptions(echo(8, 20, 8), 7, 1, 0, 0))));
        rows.add(row("IP: record route with a pointer below 4",
                p -> p.frame("echo + RR ptr 3", withOptions(echo(8, 21, 8), opt(7, 7, 3)))));
        rows.add(row("IP: two record route options",
                p -> p.frame("echo + RR RR", withOptions(echo(8, 22, 8), 7, 3, 4, 7, 3, 4))));
        rows.add(row("IP: timestamp option that overflowed 15 times",
                p -> p.frame("echo + TS overflow 15", withOptions(echo(8, 23, 8), opt(68, 4, 5, 0xf0)))));
        rows.add(row("IP: UDP to a closed port with record route",
                p -> p.frame("UDP :9 + RR", withOptions(Probe.STACK, 17, udp(9, 20), opt(7, 11, 4)))));
        rows.add(row("IP: unknown protocol with a timestamp option",
                p -> p.frame("proto 253 + TS", withOptions(Probe.STACK, 253, new byte[16], opt(68, 12, 5, 1)))));
        // The type of service a reply carries (RFC 1122 3.2.1.6, RFC 2474): Linux echoes a request's and marks errors.
        rows.add(row("IP: echo request with DSCP AF11", p -> p.frame("echo tos 0x28", withTos(ip(Probe.STACK_MAC, Probe.STACK, 1, 64, echo(8, 24, 8), false), 0x28))));
        rows.add(row("IP: echo request marked ECN CE", p -> p.frame("echo tos 0x03", withTos(ip(Probe.STACK_MAC, Probe.STACK, 1, 64, echo(8, 25, 8), false), 0x03))));
        rows.add(row("IP: UDP to a closed port with DSCP AF11", p -> p.frame("UDP :9 tos 0x28", withTos(ip(Probe.STACK_MAC, Probe.STACK, 17, 64, udp(9, 20), false), 0x28))));
        rows.add(row("IP: TCP SYN to a closed port with DSCP AF11", p -> p.frame("SYN tos 0x28", withTos(
                Pkt.tcpFrame(Probe.STACK_MAC, Probe.PEER_MAC, Probe.PEER, Probe.STACK, p.sport, p.dport, 1, 0, Pkt.SYN, 1000, null, null), 0x28))));
        rows.add(new LinuxDifferentialRows.Row("IP: bare ACK with DSCP AF11 to a listening port", true, p -> p.frame("ACK tos 0x28", withTos(
                Pkt.tcpFrame(Probe.STACK_MAC, Probe.PEER_MAC, Probe.PEER, Probe.STACK, p.sport, p.dport, 1, 77, Pkt.ACK, 1000, null, null), 0x28))));
        rows.add(new LinuxDifferentialRows.Row("IP: SYN with DSCP AF11 to a listening port", true, p -> p.frame("SYN tos 0x28", withTos(
                Pkt.tcpFrame(Probe.STACK_MAC, Probe.PEER_MAC, Probe.PEER, Probe.STACK, p.sport, p.dport, 1, 0, Pkt.SYN, 1000, null, null), 0x28))));
        // a RST carries back the DSCP of what it answers but not its ECN field (RFC 3168 6.1.1: a RST is not ECN-capable)
        rows.add(row("IP: TCP SYN to a closed port with DSCP AF11, marked CE", p -> p.frame("SYN tos 0x2b", withTos(
                Pkt.tcpFrame(Probe.STACK_MAC, Probe.PEER_MAC, Probe.PEER, Probe.STACK, p.sport, p.dport, 1, 0, Pkt.SYN, 1000, null, null), 0x2b))));
        rows.add(new LinuxDifferentialRows.Row("IP: bare ACK with DSCP AF11 to a listening port, marked ECT(0)", true, p -> p.frame("ACK tos 0x2a",
                withTos(Pkt.tcpFrame(Probe.STACK_MAC, Probe.PEER_MAC, Probe.PEER, Probe.STACK, p.sport, p.dport, 1, 77, Pkt.ACK, 1000, null, null), 0x2a))));
        rows.add(row("IP: ICMP timestamp request with DSCP AF11", p -> p.frame("timestamp tos 0x28", withTos(ip(Probe.STACK_MAC, Probe.STACK, 1, 64, echo(13, 26, 12), false), 0x28))));
        rows.add(row("IP: UDP to a closed port with a malformed option",
                p -> p.frame("UDP :9 + bad option", withOptions(Probe.STACK, 17, udp(9, 20), opt(7, 7, 3)))));
        rows.add(row("IP: TCP segment with a bad checksum to a closed port", p -> {
            byte[] f = Pkt.tcpFrame(Probe.STACK_MAC, Probe.PEER_MAC, Probe.PEER, Probe.STACK, p.sport, p.dport, 1, 0, Pkt.SYN, 1000, null, null);
            f[f.length - 3] ^= 1;
            p.frame("SYN, bad checksum", f);
        }));
    }

    /** An echo request ({@code seq}, 8 bytes) whose IPv4 header {@code edit} changes; its checksum redone after. */
    private static byte[] echoWith(int seq, java.util.function.Consumer<ByteBuffer> edit) {
        byte[] f = ip(Probe.STACK_MAC, Probe.STACK, 1, 64, echo(8, seq, 8), false);
        ByteBuffer b = ByteBuffer.wrap(f);
        edit.accept(b);
        b.putShort(24, (short) 0).putShort(24, (short) Pkt.csum(f, 14, 20, 0));
        return f;
    }

    /** A frame with 20 bytes of UDP to closed port 9 whose header field at {@code at} (length 4, checksum 6) says {@code value}. */
    private static byte[] udpWith(int at, int value) {
        byte[] d = udp(9, 20);
        ByteBuffer.wrap(d).putShort(at, (short) value);
        return ip(Probe.STACK_MAC, Probe.STACK, 17, 64, d, false);
    }

    /** The 1480 bytes at {@code offset} of a 3000-byte echo request, alone; then a wait past the one-second reassembly timeout. */
    private static void loneFragment(DiffPeer p, int seq, int offset) throws Throwable {
        byte[] icmp = echo(8, seq, 2992);
        byte[] f = ip(Probe.STACK_MAC, Probe.STACK, 1, 64, java.util.Arrays.copyOfRange(icmp, offset, offset + 1480), false);
        fragment(f, offset, true);
        p.frame("fragment at " + offset, f);
        p.idle("1.5 s later", 1500);
    }

    private static LinuxDifferentialRows.Row row(String name, LinuxDifferentialRows.Script s) {
        return new LinuxDifferentialRows.Row(name, false, s);
    }

    /** An ICMP message of {@code type} with identifier, sequence and {@code len} bytes of data, checksummed. */
    static byte[] echo(int type, int seq, int len) {
        byte[] m = new byte[8 + len];
        ByteBuffer b = ByteBuffer.wrap(m);
        b.put(0, (byte) type).putShort(4, (short) ECHO_ID).putShort(6, (short) seq);
        for (int i = 0; i < len; i++) {
            m[8 + i] = (byte) (i * 7 + seq);
        }
        b.putShort(2, (short) Pkt.csum(m, 0, m.length, 0));
        return m;
    }

    /** A UDP datagram from port 33000 to {@code port} with {@code len} bytes of data and no checksum. */
    static byte[] udp(int port, int len) {
        byte[] d = new byte[8 + len];
        ByteBuffer.wrap(d).putShort(0, (short) 33000).putShort(2, (short) port).putShort(4, (short) d.length);
        return d;
    }

    /** Option {@code type} of {@code length} bytes: its type, length and then {@code first}, zeros after. */
    static int[] opt(int type, int length, int... first) {
        int[] o = new int[length];
        o[0] = type;
        o[1] = length;
        System.arraycopy(first, 0, o, 2, first.length);
        return o;
    }

    /** An ICMP {@link #ip} frame to us carrying {@code options} (padded with end-of-options to a multiple of 4). */
    static byte[] withOptions(byte[] icmp, int... options) {
        return withOptions(Probe.STACK, 1, icmp, options);
    }

    /** An {@link #ip} frame to {@code dst} carrying {@code options} (padded with end-of-options to a multiple of 4). */
    static byte[] withOptions(int dst, int proto, byte[] payload, int... options) {
        byte[] f = ip(Probe.STACK_MAC, dst, proto, 64, payload, false);
        int optLen = (options.length + 3) & ~3;
        byte[] g = new byte[f.length + optLen];
        System.arraycopy(f, 0, g, 0, 34);
        for (int i = 0; i < options.length; i++) g[34 + i] = (byte) options[i];
        System.arraycopy(f, 34, g, 34 + optLen, f.length - 34);
        g[14] = (byte) (0x40 | (20 + optLen) / 4);
        ByteBuffer b = ByteBuffer.wrap(g);
        b.putShort(16, (short) (g.length - 14)).putShort(24, (short) 0);
        b.putShort(24, (short) Pkt.csum(g, 14, 20 + optLen, 0));
        return g;
    }

    /** {@code f} with type of service {@code tos}, its header checksum redone. */
    static byte[] withTos(byte[] f, int tos) {
        ByteBuffer b = ByteBuffer.wrap(f);
        f[15] = (byte) tos;
        b.putShort(24, (short) 0);
        b.putShort(24, (short) Pkt.csum(f, 14, (f[14] & 15) * 4, 0));
        return f;
    }

    /** Makes an {@link #ip} frame a fragment at byte {@code offset} (a multiple of 8) of the datagram with id 0x77. */
    static void fragment(byte[] f, int offset, boolean more) {
        ByteBuffer b = ByteBuffer.wrap(f);
        b.putShort(20, (short) ((more ? 0x2000 : 0) | (offset >>> 3))).putShort(24, (short) 0);
        b.putShort(24, (short) Pkt.csum(f, 14, 20, 0));
    }

    /** Ethernet + IPv4 (no options, DF clear) from the peer to {@code dst}. */
    static byte[] ip(long dstMac, int dst, int proto, int ttl, byte[] payload, boolean badChecksum) {
        byte[] f = new byte[14 + 20 + payload.length];
        ByteBuffer b = ByteBuffer.wrap(f);
        b.putShort(0, (short) (dstMac >>> 32)).putInt(2, (int) dstMac);
        b.putShort(6, (short) (Probe.PEER_MAC >>> 32)).putInt(8, (int) Probe.PEER_MAC);
        b.putShort(12, (short) 0x0800);
        b.put(14, (byte) 0x45).putShort(16, (short) (20 + payload.length)).putShort(18, (short) 0x77).put(22, (byte) ttl)
                .put(23, (byte) proto).putInt(26, Probe.PEER).putInt(30, dst);
        b.putShort(24, (short) (Pkt.csum(f, 14, 20, 0) ^ (badChecksum ? 0x100 : 0)));
        System.arraycopy(payload, 0, f, 34, payload.length);
        return f;
    }

    /** " tos=0x.." for an IPv4 frame whose type of service is not 0, else nothing. */
    static String tos(byte[] f) {
        return f.length > 15 && f[15] != 0 ? " tos=0x" + Integer.toHexString(f[15] & 0xff) : "";
    }

    /** What a peer sees of a frame: ARP operation, or IPv4 protocol, TTL, DF and length, and for ICMP type and code. */
    static String describe(byte[] f) {
        ByteBuffer b = ByteBuffer.wrap(f);
        int type = b.getShort(12) & 0xffff;
        if (type == 0x0806) {
            return "ARP op=" + b.getShort(20) + " " + Wire.ip(b.getInt(28)) + " is-at " + Wire.mac(((long) b.getShort(22) & 0xffff) << 32 | (b.getInt(24) & 0xffffffffL))
                    + " to " + Wire.ip(b.getInt(38));
        }
        if (type != 0x0800) {
            return "ethertype " + Integer.toHexString(type);
        }
        int ihl = (f[14] & 15) * 4;
        int total = b.getShort(16) & 0xffff;
        String ip = "IPv4 ttl=" + (f[22] & 0xff) + ((b.getShort(20) & 0x4000) != 0 ? " DF" : "") + " len=" + total + tos(f);
        int frag = b.getShort(20) & 0x3fff;
        if ((frag & 0x1fff) != 0) {
            return ip + " fragment at " + (frag & 0x1fff) * 8 + ((frag & 0x2000) != 0 ? " MF" : "");
        }
        if (f[23] != 1) {
            return ip + " proto=" + (f[23] & 0xff);
        }
        int t = 14 + ihl;
        int icmpType = f[t] & 0xff;
        String s = ip + ((frag & 0x2000) != 0 ? " MF" : "") + " ICMP " + icmpType + "/" + (f[t + 1] & 0xff);
        if (icmpType == 3 || icmpType == 11 || icmpType == 12) {
            s += " quoting " + (total - ihl - 8) + " B" + (icmpType == 12 ? " pointer " + (f[t + 4] & 0xff) : "");
        } else if (icmpType == 0 || icmpType == 14) {
            s += " id=" + Integer.toHexString(b.getShort(t + 4) & 0xffff) + " seq=" + b.getShort(t + 6);
        }
        return s;
    }
}
