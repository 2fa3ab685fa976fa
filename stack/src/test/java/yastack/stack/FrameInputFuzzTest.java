package yastack.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Coverage-guided fuzzing (Jazzer) of the stack's frame input: Ethernet, ARP, IPv4 with fragments, ICMP,
 * UDP and TCP. One shard with a listener, a UDP socket and an established connection takes the frames an
 * input describes, with time passing between them. Whatever arrives, nothing may throw, every frame the
 * shard sends must be well formed, and afterwards the shard must still complete a fresh handshake and
 * deliver data.
 *
 * <p>An input is a list of records {@code op(1) length(2, big-endian) body(length)}; {@code op & 7} says
 * how the body becomes a frame, so the fuzzer reaches deep layers without having to learn checksums:
 * <ul>
 *   <li>0: the body is the whole frame, as is;
 *   <li>1: Ethernet header to the shard (to broadcast when op bit 3 is set), the body from the ethertype on;
 *   <li>2, 6: the body is an IPv4 datagram from the peer; its checksums are repaired unless op bit 7 is set;
 *   <li>3: the body is a TCP header and payload on the established connection's tuple, whose sequence and
 *       acknowledgment fields count from the peer's next sequence number and the shard's (0 = exactly
 *       them); ports are forced to the connection's unless op bit 3 is set;
 *   <li>4: the body is an ARP packet from the peer;
 *   <li>5: time passes: the first two body bytes in milliseconds (times 64 when op bit 3 is set).
 * </ul>
 * The seeds ({@code src/test/resources/yastack/stack/FrameInputFuzzTestInputs/framesNeverBreakTheShard/})
 * are real conversations written by {@link FrameSeeds}.
 */
class FrameInputFuzzTest {
    static final int PORT = 80;
    static final int PEER_PORT = 33000;
    static final int PEER_ISS = 0x7000_0000;
    static final int PEER_TS = 1000;

    /** The shard after the handshake of the scripted connection: what the records are laid against. */
    static final class Shard {
        final Probe p = new Probe(c -> c.challengeAcksPerSecond(100));
        final Endpoint app = new Endpoint(0x55);
        final int peerSeq = PEER_ISS + 1;
        final int stackSeq;
        final int stackTs;

        Shard() {
            p.stack.listen(PORT, 16, c -> app);
            p.stack.openUdp(53, null);
            p.sendTcp(PEER_PORT, PORT, PEER_ISS, 0, Pkt.SYN, 65535, Probe.synOpts(PEER_TS), null);
            Pkt synAck = p.lastTcp();
            stackSeq = synAck.seq() + 1;
            stackTs = Probe.tsVal(synAck);
            p.sendTcp(PEER_PORT, PORT, peerSeq, stackSeq, Pkt.ACK, 512, Probe.tsOpts(PEER_TS + 1, stackTs), null);
            assertTrue(app.connected);
            p.drain();
        }
    }

    @FuzzTest(maxDuration = "60s", maxExecutions = 50000)
    void framesNeverBreakTheShard(byte[] input) {
        Shard s = new Shard();
        ByteBuffer in = ByteBuffer.wrap(input);
        int records = 0;
        while (in.remaining() >= 3 && records++ < 64) {
            int op = in.get() & 0xff;
            int len = Math.min(in.getShort() & 0xffff, in.remaining());
            byte[] body = new byte[len];
            in.get(body);
            switch (op & 7) {
                case 0 -> s.p.inject(body);
                case 1 -> s.p.inject(ethernet((op & 8) != 0 ? 0xFFFF_FFFF_FFFFL : Probe.STACK_MAC, body));
                case 2, 6 -> s.p.inject(ipv4(body, (op & 0x80) == 0));
                case 3 -> s.p.inject(tcpOnConnection(s, body, (op & 8) == 0));
                case 4 -> s.p.inject(ethernet(Probe.STACK_MAC, concat(new byte[] {8, 6}, body)));
                default -> {
                    int ms = body.length >= 2 ? ((body[0] & 0xff) << 8) | (body[1] & 0xff) : 1;
                    s.p.advance(ms * ((op & 8) != 0 ? 64L : 1L) * Probe.MS);
                }
            }
            checkWellFormed(s.p);
        }
        s.p.advance(130_000 * Probe.MS); // every timer (RTO backoff, TIME_WAIT, reassembly, ARP) runs out
        checkWellFormed(s.p);
        stillConnects(s.p);
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    /** Ethernet header from the peer to {@code dst}; the body starts with the ethertype. */
    static byte[] ethernet(long dst, byte[] fromType) {
        byte[] f = new byte[12 + fromType.length];
        ByteBuffer b = ByteBuffer.wrap(f);
        b.putShort(0, (short) (dst >>> 32)).putInt(2, (int) dst);
        b.putShort(6, (short) (Probe.PEER_MAC >>> 32)).putInt(8, (int) Probe.PEER_MAC);
        System.arraycopy(fromType, 0, f, 12, fromType.length);
        return f;
    }

    static byte[] ipv4(byte[] datagram, boolean repair) {
        byte[] f = ethernet(Probe.STACK_MAC, concat(new byte[] {8, 0}, datagram));
        if (repair) {
            MutatedTrafficTest.fixChecksums(f);
        }
        return f;
    }

    /** TCP header and payload laid on the live connection: sequence fields are offsets, checksum computed. */
    static byte[] tcpOnConnection(Shard s, byte[] tcp, boolean forcePorts) {
        if (tcp.length < 20) {
            tcp = Arrays.copyOf(tcp, 20);
        }
        ByteBuffer t = ByteBuffer.wrap(tcp);
        int doff = Math.max(20, Math.min(((tcp[12] & 0xff) >>> 4) * 4, tcp.length & ~3));
        int sport = forcePorts ? PEER_PORT : t.getShort(0) & 0xffff;
        int dport = forcePorts ? PORT : t.getShort(2) & 0xffff;
        byte[] opts = Arrays.copyOfRange(tcp, 20, doff);
        byte[] payload = Arrays.copyOfRange(tcp, doff, tcp.length);
        return Pkt.tcpFrame(Probe.STACK_MAC, Probe.PEER_MAC, Probe.PEER, Probe.STACK, sport, dport,
                s.peerSeq + t.getInt(4), s.stackSeq + t.getInt(8), tcp[13] & 0xff, t.getShort(14) & 0xffff, opts, payload);
    }

    /** Every frame the shard sent is a valid Ethernet frame with correct IPv4 and transport checksums. */
    static void checkWellFormed(Probe p) {
        for (byte[] f : p.drain()) {
            assertTrue(f.length >= 42, "runt frame sent");
            ByteBuffer b = ByteBuffer.wrap(f);
            int type = b.getShort(12) & 0xffff;
            if (type == 0x0806) {
                continue;
            }
            assertEquals(0x0800, type, "ethertype");
            int ihl = (f[14] & 15) * 4;
            assertEquals(0, Pkt.csum(f, 14, ihl, 0), "IPv4 header checksum");
            int total = b.getShort(16) & 0xffff;
            assertTrue(14 + total <= f.length, "IPv4 total length within the frame");
            int proto = f[23] & 0xff;
            if ((b.getShort(20) & 0x3fff) != 0 || proto == 17) {
                continue; // a fragment carries part of a transport header; UDP may send checksum 0
            }
            int src = b.getInt(26);
            int dst = b.getInt(30);
            int len = total - ihl;
            long pseudo = ((src >>> 16) & 0xffff) + (src & 0xffff) + ((dst >>> 16) & 0xffff) + (dst & 0xffff) + proto + len;
            assertEquals(0, Pkt.csum(f, 14 + ihl, len, proto == 1 ? 0 : pseudo), "checksum of protocol " + proto);
        }
    }

    /** A new connection on a port the fuzzed frames never saw completes its handshake and delivers bytes in order. */
    static void stillConnects(Probe p) {
        Endpoint fresh = new Endpoint(0x55);
        fresh.keep = true;
        p.stack.listen(8080, 16, c -> fresh);
        int sport = 1;
        while (p.stack.tcp.table.get(TcpTable.key(Probe.PEER, sport, 8080)) != null) {
            sport++;
        }
        p.inject(Probe.arp(1, Probe.PEER_MAC, Probe.PEER, 0, Probe.STACK)); // the neighbour entry aged out meanwhile
        p.drain();
        p.sendTcp(sport, 8080, 5000, 0, Pkt.SYN, 65535, null, null);
        Pkt sa = p.lastTcp();
        assertNotNull(sa, "SYN-ACK from the shard after fuzzing");
        assertTrue(sa.has(Pkt.SYN) && sa.has(Pkt.ACK), "SYN-ACK flags");
        p.sendTcp(sport, 8080, 5001, sa.seq() + 1, Pkt.ACK | Pkt.PSH, 65535, null, "ping".getBytes());
        assertTrue(fresh.connected, "accepted");
        assertEquals("ping", fresh.data.toString());
    }
}
