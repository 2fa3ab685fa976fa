package yastack.stack;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Ethernet, ARP (RFC 826), IPv4 (RFC 791/1122) and ICMP (RFC 792) behaviour on the wire. */
class WireIpTest {
    static final long BCAST = 0xFFFF_FFFF_FFFFL;

    static byte[] ipFrame(long dstMac, int src, int dst, int proto, int id, int fragField, byte[] l4) {
        byte[] f = new byte[34 + l4.length];
        ByteBuffer b = ByteBuffer.wrap(f);
        b.putShort(0, (short) (dstMac >>> 32)).putInt(2, (int) dstMac);
        b.putShort(6, (short) (Probe.PEER_MAC >>> 32)).putInt(8, (int) Probe.PEER_MAC);
        b.putShort(12, (short) 0x0800).put(14, (byte) 0x45).putShort(16, (short) (20 + l4.length)).putShort(18, (short) id);
        b.putShort(20, (short) fragField).put(22, (byte) 64).put(23, (byte) proto).putInt(26, src).putInt(30, dst);
        b.putShort(24, (short) Pkt.csum(f, 14, 20, 0));
        System.arraycopy(l4, 0, f, 34, l4.length);
        return f;
    }

    static byte[] echo(int id, int seq, int payload) {
        byte[] m = new byte[8 + payload];
        ByteBuffer b = ByteBuffer.wrap(m);
        b.put(0, (byte) 8).putShort(4, (short) id).putShort(6, (short) seq);
        for (int i = 0; i < payload; i++) {
            m[8 + i] = (byte) (i * 7);
        }
        b.putShort(2, (short) Pkt.csum(m, 0, m.length, 0));
        return m;
    }

    static int type(byte[] f) {
        return ByteBuffer.wrap(f).getShort(12) & 0xffff;
    }

    @Test
    void arpRequestForUsIsAnsweredAndOthersAreNot() {
        Probe p = new Probe(null);
        p.inject(Probe.arp(1, 0x02_00_00_00_00_0AL, Wire.parseIp("10.0.0.10"), 0, Probe.STACK));
        List<byte[]> out = p.drain();
        assertEquals(1, out.size());
        ByteBuffer r = ByteBuffer.wrap(out.get(0));
        assertEquals(0x0806, r.getShort(12) & 0xffff);
        assertEquals(2, r.getShort(20));
        assertEquals(Probe.STACK, r.getInt(28));
        assertEquals(Wire.parseIp("10.0.0.10"), r.getInt(38));
        assertEquals(0x0200_0000_000AL, ((long) (r.getShort(0) & 0xffff) << 32) | (r.getInt(2) & 0xffffffffL));
        p.inject(Probe.arp(1, 0x02_00_00_00_00_0BL, Wire.parseIp("10.0.0.11"), 0, Wire.parseIp("10.0.0.99")));
        assertTrue(p.drain().isEmpty());
        byte[] bad = Probe.arp(1, 0x02_00_00_00_00_0BL, Wire.parseIp("10.0.0.11"), 0, Probe.STACK);
        bad[18] = 8; // hardware length
        p.inject(bad);
        assertTrue(p.drain().isEmpty());
        assertEquals(1, p.stack.stats().get("arp.drop.malformed"));
        assertTrue(p.stack.arpTable().stream().anyMatch(e -> e.address().equals("10.0.0.10") && e.resolved()));
    }

    @Test
    void gratuitousArpOnStartAndResolutionQueuesPackets() {
        SimLink l = new SimLink(3);
        List<Integer> replies = new ArrayList<>();
        l.a.setEchoReplyListener((from, id, seq, len) -> replies.add(seq));
        l.a.ping(SimLink.IP_B, 1, 1, 56);
        l.a.ping(SimLink.IP_B, 1, 2, 56);
        assertTrue(l.runUntil(() -> replies.size() == 2, 1_000_000_000L));
        assertEquals(List.of(1, 2), replies, "both pings were queued while ARP resolved");
        byte[] first = l.sentByA.get(0);
        assertEquals(0x0806, type(first));
        assertEquals(SimLink.IP_A, ByteBuffer.wrap(first).getInt(38), "gratuitous ARP targets our own address");
    }

    @Test
    void arpResolutionGivesUpAfterRetries() {
        Probe p = new Probe(null);
        p.stack.ping(Wire.parseIp("10.0.0.77"), 1, 1, 10);
        p.advance(10_000 * Probe.MS);
        long requests = p.drain().stream().filter(f -> type(f) == 0x0806).count();
        assertEquals(3, requests);
        assertEquals(1, p.stack.stats().get("arp.resolve_failed"));
        assertEquals(1, p.stack.stats().get("arp.pending_dropped"));
    }

    @Test
    void echoIsAnsweredByteForByte() {
        Probe p = new Probe(null);
        byte[] req = echo(0x1234, 7, 56);
        p.inject(ipFrame(Probe.STACK_MAC, Probe.PEER, Probe.STACK, 1, 1, 0, req));
        List<byte[]> out = p.drain();
        assertEquals(1, out.size());
        byte[] f = out.get(0);
        ByteBuffer b = ByteBuffer.wrap(f);
        assertEquals(0, f[34]);
        assertEquals(0x1234, b.getShort(38) & 0xffff);
        assertEquals(7, b.getShort(40));
        for (int i = 0; i < 56; i++) {
            assertEquals(req[8 + i], f[42 + i]);
        }
        assertEquals(0, Pkt.csum(f, 34, 64, 0));
        assertEquals(0, Pkt.csum(f, 14, 20, 0));
        assertEquals(Probe.PEER, b.getInt(30));
        // broadcast echo is ignored
        p.inject(ipFrame(BCAST, Probe.PEER, Wire.parseIp("10.0.0.255"), 1, 2, 0, echo(1, 1, 8)));
        assertTrue(p.drain().isEmpty());
        // bad ICMP checksum
        byte[] bad = echo(1, 2, 8);
        bad[9] ^= 1;
        p.inject(ipFrame(Probe.STACK_MAC, Probe.PEER, Probe.STACK, 1, 3, 0, bad));
        assertTrue(p.drain().isEmpty());
        assertEquals(1, p.stack.stats().get("icmp.drop.bad_checksum"));
    }

    /** RFC 1122 3.2.2.6: Record Route comes back with our address for the way in and the way out (as Linux). */
    @Test
    void echoReplyCarriesTheRecordRouteOption() {
        Probe p = new Probe(null);
        byte[] icmp = echo(0x77, 1, 8);
        byte[] f = new byte[14 + 20 + 12 + icmp.length];
        byte[] plain = ipFrame(Probe.STACK_MAC, Probe.PEER, Probe.STACK, 1, 4, 0, icmp);
        System.arraycopy(plain, 0, f, 0, 34);
        System.arraycopy(icmp, 0, f, 46, icmp.length);
        f[14] = 0x48;
        f[34] = 7; // record route: length 11, pointer 4, two empty slots
        f[35] = 11;
        f[36] = 4;
        ByteBuffer b = ByteBuffer.wrap(f);
        b.putShort(16, (short) (f.length - 14)).putShort(24, (short) 0).putShort(24, (short) Pkt.csum(f, 14, 32, 0));
        p.inject(f);
        List<byte[]> out = p.drain();
        assertEquals(1, out.size());
        ByteBuffer r = ByteBuffer.wrap(out.get(0));
        assertEquals(0x48, out.get(0)[14], "IHL 8: 12 bytes of options");
        assertEquals(0, Pkt.csum(out.get(0), 14, 32, 0));
        assertEquals(7, out.get(0)[34]);
        assertEquals(11, out.get(0)[35]);
        assertEquals(12, out.get(0)[36], "both slots used");
        assertEquals(Probe.STACK, r.getInt(37));
        assertEquals(Probe.STACK, r.getInt(41));
        assertEquals(0, out.get(0)[46], "echo reply after the options");
        assertEquals(0, Pkt.csum(out.get(0), 46, icmp.length, 0));
    }

    /** RFC 792 timestamp: originate copied, receive and transmit in milliseconds since midnight UT (as Linux). */
    @Test
    void timestampRequestIsAnswered() {
        long wall = 3 * 86_400_000L + 12_345_678L;
        Probe p = new Probe(c -> c.wallClockMillis(() -> wall));
        byte[] req = IpDifferentialRows.echo(13, 9, 12);
        ByteBuffer.wrap(req).putInt(8, 0x01020304).putShort(2, (short) 0);
        ByteBuffer.wrap(req).putShort(2, (short) Pkt.csum(req, 0, req.length, 0));
        p.inject(ipFrame(Probe.STACK_MAC, Probe.PEER, Probe.STACK, 1, 3, 0, req));
        List<byte[]> out = p.drain();
        assertEquals(1, out.size());
        ByteBuffer b = ByteBuffer.wrap(out.get(0));
        assertEquals(14, out.get(0)[34], "timestamp reply");
        assertEquals(40, b.getShort(16), "IP + 20 bytes of ICMP");
        assertEquals(9, b.getShort(40));
        assertEquals(0x01020304, b.getInt(42), "originate copied");
        assertEquals(12_345_678, b.getInt(46));
        assertEquals(12_345_678, b.getInt(50));
        assertEquals(0, Pkt.csum(out.get(0), 34, 20, 0));
    }

    @Test
    void fragmentedEchoIsReassembledAndTheReplyFragmented() {
        Probe p = new Probe(null);
        byte[] req = echo(9, 1, 3000);
        int chunk = 1480;
        for (int off = 0; off < req.length; off += chunk) {
            int n = Math.min(chunk, req.length - off);
            byte[] part = java.util.Arrays.copyOfRange(req, off, off + n);
            boolean more = off + n < req.length;
            p.inject(ipFrame(Probe.STACK_MAC, Probe.PEER, Probe.STACK, 1, 555, (more ? 0x2000 : 0) | (off / 8), part));
        }
        List<byte[]> out = p.drain();
        assertEquals(3, out.size(), "3008-byte reply in three fragments");
        assertEquals(1, p.stack.stats().get("ip.frag.reassembled"));
        byte[] whole = new byte[3008];
        for (byte[] f : out) {
            ByteBuffer b = ByteBuffer.wrap(f);
            int ff = b.getShort(20) & 0xffff;
            int total = b.getShort(16) & 0xffff;
            System.arraycopy(f, 34, whole, (ff & 0x1fff) * 8, total - 20);
            assertTrue(total <= 1500);
        }
        assertEquals(0, whole[0]);
        assertEquals(0, Pkt.csum(whole, 0, whole.length, 0));
        for (int i = 8; i < 3008; i++) {
            assertEquals(req[i], whole[i]);
        }
    }

    @Test
    void overlappingFragmentsAndTimeoutsDropTheDatagram() {
        Probe p = new Probe(null);
        byte[] req = echo(9, 1, 2000);
        p.inject(ipFrame(Probe.STACK_MAC, Probe.PEER, Probe.STACK, 1, 600, 0x2000, java.util.Arrays.copyOfRange(req, 0, 1000)));
        p.inject(ipFrame(Probe.STACK_MAC, Probe.PEER, Probe.STACK, 1, 600, 0x2000 | (992 / 8), java.util.Arrays.copyOfRange(req, 992, 1600)));
        p.inject(ipFrame(Probe.STACK_MAC, Probe.PEER, Probe.STACK, 1, 600, 1600 / 8, java.util.Arrays.copyOfRange(req, 1600, 2008)));
        assertEquals(1, p.stack.stats().get("ip.frag.drop.overlap"));
        p.inject(ipFrame(Probe.STACK_MAC, Probe.PEER, Probe.STACK, 1, 601, 0x2000, java.util.Arrays.copyOfRange(req, 0, 1000)));
        p.advance(31_000 * Probe.MS);
        assertEquals(2, p.stack.stats().get("ip.frag.drop.timeout"), "the tail of 600 and the lone 601 fragment");
        assertEquals(0, p.stack.stats().get("ip.frag.reassembled"));
        // 601's first fragment came: its sender learns the reassembly timed out; 600's tail alone earns nothing
        List<byte[]> out = p.drain().stream().filter(f -> type(f) == 0x0800).toList();
        assertEquals(1, out.size());
        assertEquals(11, out.get(0)[34], "time exceeded");
        assertEquals(1, out.get(0)[35], "in reassembly");
        assertEquals(601, ByteBuffer.wrap(out.get(0)).getShort(34 + 8 + 4), "quoting the first fragment of 601");
        assertEquals(1, p.stack.stats().get("icmp.time_exceeded_sent"));
    }

    @Test
    void unreachablesForUnknownPortAndProtocol() {
        Probe p = new Probe(null);
        byte[] udp = new byte[12];
        ByteBuffer.wrap(udp).putShort(0, (short) 5000).putShort(2, (short) 9).putShort(4, (short) 12);
        p.inject(ipFrame(Probe.STACK_MAC, Probe.PEER, Probe.STACK, 17, 1, 0, udp));
        byte[] r = p.drain().get(0);
        assertEquals(3, r[34]);
        assertEquals(3, r[35], "port unreachable");
        assertEquals(0, Pkt.csum(r, 34, r.length - 34 - Math.max(0, r.length - (14 + (ByteBuffer.wrap(r).getShort(16) & 0xffff))), 0));
        p.inject(ipFrame(Probe.STACK_MAC, Probe.PEER, Probe.STACK, 99, 2, 0, new byte[8]));
        r = p.drain().get(0);
        assertEquals(3, r[34]);
        assertEquals(2, r[35], "protocol unreachable");
        assertEquals(1, p.stack.stats().get("ip.drop.unknown_protocol"));
    }

    @Test
    void malformedIpAndEthernetAreDroppedAndCounted() {
        Probe p = new Probe(null);
        byte[] ok = ipFrame(Probe.STACK_MAC, Probe.PEER, Probe.STACK, 1, 1, 0, echo(1, 1, 8));
        byte[] v6 = ok.clone();
        v6[14] = 0x65;
        p.inject(v6);
        byte[] ihl = ok.clone();
        ihl[14] = 0x44;
        p.inject(ihl);
        byte[] sum = ok.clone();
        sum[24] ^= 1;
        p.inject(sum);
        byte[] notUs = ipFrame(Probe.STACK_MAC, Probe.PEER, Wire.parseIp("10.0.0.50"), 1, 1, 0, echo(1, 1, 8));
        p.inject(notUs);
        byte[] martian = ipFrame(Probe.STACK_MAC, Wire.parseIp("127.0.0.1"), Probe.STACK, 1, 1, 0, echo(1, 1, 8));
        p.inject(martian);
        p.inject(java.util.Arrays.copyOf(ok, 10));
        byte[] vlan = ok.clone();
        vlan[12] = (byte) 0x81;
        vlan[13] = 0;
        p.inject(vlan);
        byte[] otherMac = ok.clone();
        otherMac[5] = 0x55;
        p.inject(otherMac);
        StackStats s = p.stack.stats();
        assertEquals(1, s.get("ip.drop.bad_version"));
        assertEquals(1, s.get("ip.drop.bad_header_length"));
        assertEquals(1, s.get("ip.drop.bad_checksum"));
        assertEquals(1, s.get("ip.drop.not_for_us"));
        assertEquals(1, s.get("ip.drop.bad_source"));
        assertEquals(1, s.get("eth.drop.truncated"));
        assertEquals(1, s.get("eth.drop.vlan"));
        assertEquals(1, s.get("eth.drop.not_for_us"));
        assertTrue(p.drain().isEmpty());
    }

    @Test
    void udpSocketsExchangeDatagramsIncludingFragmentedOnes() {
        SimLink l = new SimLink(21);
        UdpSocket a = l.a.openUdp(5353, null);
        int[] readable = new int[1];
        UdpSocket b = l.b.openUdp(5354, s -> readable[0]++);
        byte[] big = new byte[4000];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) (i * 13);
        }
        a.send(SimLink.IP_B, 5354, ByteBuffer.wrap("hello".getBytes()));
        a.send(SimLink.IP_B, 5354, ByteBuffer.wrap(big));
        assertTrue(l.runUntil(() -> b.queuedDatagrams() == 2, 1_000_000_000L));
        ByteBuffer in = ByteBuffer.allocate(8000);
        assertEquals(5, b.receive(in));
        assertEquals(SimLink.IP_A, b.lastAddress());
        assertEquals(5353, b.lastPort());
        assertEquals("hello", new String(in.array(), 0, 5));
        in.clear();
        assertEquals(4000, b.receive(in));
        assertArrayEquals(big, java.util.Arrays.copyOf(in.array(), 4000));
        assertEquals(-1, b.receive(in));
        assertEquals(2, readable[0]);
        b.send(SimLink.IP_A, 5353, ByteBuffer.wrap("back".getBytes()));
        assertTrue(l.runUntil(() -> a.queuedDatagrams() == 1, 1_000_000_000L));
    }

    @Test
    void fragNeededLowersTheMss() {
        SimLink l = new SimLink(22);
        Endpoint[] p = TcpBasicTest.pair(l, 0, 0);
        assertTrue(l.runUntil(() -> p[1].connected, 1_000_000_000L));
        TcpConnection c = p[0].conn;
        c.write(ByteBuffer.allocate(3000));
        Pkt seg = SimLink.tcp(l.sentByA).getLast();
        // ICMP 3/4 quoting that segment with next-hop MTU 1000
        byte[] quote = java.util.Arrays.copyOfRange(l.sentByA.getLast(), 14, 14 + 28);
        byte[] icmp = new byte[8 + quote.length];
        ByteBuffer ib = ByteBuffer.wrap(icmp);
        ib.put(0, (byte) 3).put(1, (byte) 4).putShort(6, (short) 1000);
        System.arraycopy(quote, 0, icmp, 8, quote.length);
        ib.putShort(2, (short) Pkt.csum(icmp, 0, icmp.length, 0));
        byte[] f = ipFrame(0x02_00_00_00_00_01L, SimLink.IP_B, SimLink.IP_A, 1, 5, 0, icmp);
        l.inject(l.a, f);
        assertEquals(960, c.mss());
        assertEquals(1, l.a.stats().get("tcp.pmtu_updates"));
        assertTrue(seg.payload().length > 0);
    }

    @Test
    void offLinkDestinationsGoThroughTheGateway() {
        Probe p = new Probe(c -> c.gateway(Probe.PEER));
        p.stack.ping(Wire.parseIp("192.0.2.7"), 1, 1, 8);
        List<byte[]> out = p.drain();
        assertEquals(1, out.size(), "the gateway's MAC is already known: no ARP for the far address");
        ByteBuffer b = ByteBuffer.wrap(out.get(0));
        assertEquals(Probe.PEER_MAC, ((long) (b.getShort(0) & 0xffff) << 32) | (b.getInt(2) & 0xffffffffL));
        assertEquals(Wire.parseIp("192.0.2.7"), b.getInt(30));
        Probe noGw = new Probe(null);
        noGw.stack.ping(Wire.parseIp("192.0.2.7"), 1, 1, 8);
        assertTrue(noGw.drain().isEmpty());
        assertEquals(1, noGw.stack.stats().get("ip.drop.no_route"));
    }

    @Test
    void staleArpEntriesAreReconfirmedWhileStillUsed() {
        Probe p = new Probe(c -> c.arpTimeoutNanos(60_000 * Probe.MS));
        p.now += 61_000 * Probe.MS;
        p.stack.ping(Probe.PEER, 1, 1, 8);
        List<byte[]> out = p.drain();
        assertTrue(out.stream().anyMatch(f -> type(f) == 0x0800), "the stale entry is still used");
        assertTrue(out.stream().anyMatch(f -> type(f) == 0x0806), "and re-confirmed with a request");
        p.now += 10_000 * Probe.MS;
        p.stack.ping(Probe.PEER, 1, 2, 8);
        out = p.drain();
        assertTrue(out.stream().noneMatch(f -> type(f) == 0x0800), "unconfirmed for too long: resolve again first");
        p.inject(Probe.arp(2, Probe.PEER_MAC, Probe.PEER, Probe.STACK_MAC, Probe.STACK));
        assertTrue(p.drain().stream().anyMatch(f -> type(f) == 0x0800), "queued echo leaves once answered");
    }
}
