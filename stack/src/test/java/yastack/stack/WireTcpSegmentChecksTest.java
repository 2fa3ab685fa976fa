package yastack.stack;

import static org.junit.jupiter.api.Assertions.*;
import static yastack.stack.WireTcpTest.PORT;
import static yastack.stack.WireTcpTest.SPORT;
import static yastack.stack.WireTcpTest.establish;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;
import yastack.stack.WireTcpTest.Conn;

/**
 * The segments an established connection does not take as they come, against a scripted peer:
 * RST and SYN challenge ACKs (RFC 5961), unacceptable ACKs and sequence numbers (RFC 9293),
 * PAWS and missing timestamps (RFC 7323), malformed headers; each dropped, answered and counted.
 */
class WireTcpSegmentChecksTest {
    @Test
    void rstHandlingFollowsRfc5961() {
        Probe p = new Probe(null);
        Conn c = establish(p);
        // in window but not exactly RCV.NXT: challenge ACK, connection survives
        p.sendTcp(SPORT, PORT, c.snd + 10, 0, Pkt.RST, 0, null, null);
        Pkt ch = p.lastTcp();
        assertNotNull(ch);
        assertTrue(ch.has(Pkt.ACK) && !ch.has(Pkt.RST));
        assertEquals(c.snd, ch.ack());
        assertEquals(TcpState.ESTABLISHED, c.app.conn.state());
        // out of window: silently dropped
        p.sendTcp(SPORT, PORT, c.snd + 10_000_000, 0, Pkt.RST, 0, null, null);
        assertNull(p.lastTcp());
        assertEquals(TcpState.ESTABLISHED, c.app.conn.state());
        // exact: reset
        p.sendTcp(SPORT, PORT, c.snd, 0, Pkt.RST, 0, null, null);
        assertTrue(c.app.reset);
        assertEquals(TcpState.CLOSED, c.app.conn.state());
        assertEquals(1, p.stack.stats().get("tcp.challenge_acks"));
    }

    @Test
    void synInEstablishedGetsChallengeAck() {
        Probe p = new Probe(null);
        Conn c = establish(p);
        p.sendTcp(SPORT, PORT, c.snd + 5, 0, Pkt.SYN, 1000, null, null);
        Pkt ch = p.lastTcp();
        assertTrue(ch.has(Pkt.ACK) && !ch.has(Pkt.RST) && !ch.has(Pkt.SYN));
        assertEquals(c.snd, ch.ack());
        assertEquals(TcpState.ESTABLISHED, c.app.conn.state());
    }

    @Test
    void ackForUnsentDataIsAnsweredAndIgnored() {
        Probe p = new Probe(null);
        Conn c = establish(p);
        p.sendTcp(SPORT, PORT, c.snd, c.rcv + 5000, Pkt.ACK, 1000, Probe.tsOpts(++c.ts, c.stackTs), new byte[10]);
        Pkt a = p.lastTcp();
        assertNotNull(a);
        assertEquals(c.snd, a.ack(), "data of a segment with an unacceptable ACK is not accepted");
        assertEquals(0, c.app.received);
        assertEquals(1, p.stack.stats().get("tcp.drop.bad_ack"));
    }

    @Test
    void outOfWindowDataIsAnsweredWithAck() {
        Probe p = new Probe(null);
        Conn c = establish(p);
        p.sendTcp(SPORT, PORT, c.snd + 50_000_000, c.rcv, Pkt.ACK, 1000, Probe.tsOpts(++c.ts, c.stackTs), new byte[10]);
        Pkt a = p.lastTcp();
        assertEquals(c.snd, a.ack());
        assertEquals(1, p.stack.stats().get("tcp.drop.out_of_window"));
        // old duplicate: also an ACK, with a D-SACK block naming it (RFC 2883)
        p.sendTcp(SPORT, PORT, c.snd - 100, c.rcv, Pkt.ACK, 1000, Probe.tsOpts(++c.ts, c.stackTs), new byte[10]);
        Pkt dup = p.lastTcp();
        assertEquals(c.snd, dup.ack());
        ByteBuffer d = ByteBuffer.wrap(dup.option(5));
        assertEquals(c.snd - 100, d.getInt(0));
        assertEquals(c.snd - 90, d.getInt(4));
        c.data(new byte[5], 0);
        p.advance(100 * Probe.MS);
        assertNull(p.lastTcp().option(5), "the D-SACK is reported once");
    }

    @Test
    void pawsDropsOldTimestamps() {
        Probe p = new Probe(null);
        Conn c = establish(p);
        c.data(new byte[10], 0);
        p.sendTcp(SPORT, PORT, c.snd, c.rcv, Pkt.ACK, 1000, Probe.tsOpts(c.ts - 100, c.stackTs), new byte[10]);
        assertEquals(10, c.app.received, "segment with an old timestamp is dropped");
        assertEquals(1, p.stack.stats().get("tcp.drop.paws"));
        Pkt a = p.lastTcp();
        assertNotNull(a);
        assertEquals(c.snd, a.ack());
    }

    @Test
    void segmentsWithoutNegotiatedTimestampsAreDropped() {
        Probe p = new Probe(null);
        Conn c = establish(p);
        p.sendTcp(SPORT, PORT, c.snd, c.rcv, Pkt.ACK, 1000, null, new byte[10]);
        assertEquals(0, c.app.received);
        assertEquals(1, p.stack.stats().get("tcp.drop.missing_timestamp"));
        assertNull(p.lastTcp(), "silently (RFC 7323 3.2)");
    }

    @Test
    void malformedSegmentsAreDroppedAndCounted() {
        Probe p = new Probe(null);
        Conn c = establish(p);
        byte[] f = p.tcp(SPORT, PORT, c.snd, c.rcv, Pkt.ACK, 1000, null, new byte[20]);
        f[f.length - 1] ^= 1;
        p.inject(f);
        assertEquals(1, p.stack.stats().get("tcp.drop.bad_checksum"));
        p.sendTcp(SPORT, PORT, c.snd, c.rcv, 0, 1000, null, null);
        assertEquals(1, p.stack.stats().get("tcp.drop.bad_flags"), "no flags: dropped");
        byte[] silly = new byte[20];
        java.util.Arrays.fill(silly, (byte) 1);
        silly[0] = 99; // an option of length 0 with 18 bytes or more of options left: Linux drops the segment
        silly[1] = 0;
        p.inject(p.tcp(SPORT, PORT, c.snd, c.rcv, Pkt.ACK, 1000, silly, null));
        assertEquals(1, p.stack.stats().get("tcp.drop.bad_options"));
        // too near the end for that check: the options walk just stops (an MSS option of length 9 in 4 bytes)
        p.inject(p.tcp(SPORT, PORT, c.snd, c.rcv, Pkt.ACK, 1000, new byte[] {2, 9, 0, 0}, null));
        assertEquals(1, p.stack.stats().get("tcp.drop.bad_options"));
        byte[] trunc = p.tcp(SPORT, PORT, c.snd, c.rcv, Pkt.ACK, 1000, null, null);
        p.inject(java.util.Arrays.copyOf(trunc, 14 + 20 + 10));
        assertTrue(p.stack.stats().get("ip.drop.bad_total_length") == 1);
        byte[] doff = p.tcp(SPORT, PORT, c.snd, c.rcv, Pkt.ACK, 1000, null, null);
        doff[14 + 20 + 12] = (byte) 0xF0; // data offset 60 > segment length
        p.inject(doff);
        assertEquals(1, p.stack.stats().get("tcp.drop.bad_header"));
        assertNull(p.lastTcp());
        assertEquals(TcpState.ESTABLISHED, c.app.conn.state());
        assertEquals(0, c.app.received);
    }
}
