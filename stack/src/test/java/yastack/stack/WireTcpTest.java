package yastack.stack;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * On-the-wire TCP behaviour of one stack against a scripted peer: handshake and options, data
 * and ACKs, close and TIME_WAIT, timers, SYN cookies (RFC 9293, 1122, 2018, 6298, 7323). The
 * segments a connection refuses are {@link WireTcpSegmentChecksTest}'s.
 */
class WireTcpTest {
    static final int SPORT = 33000, PORT = 80;
    static final int PISS = 0x7000_0000;

    static final class Conn {
        final Probe p;
        final Endpoint app = new Endpoint(0x55);
        int snd;      // peer's next sequence number
        int rcv;      // stack's next sequence number (what the peer acks)
        int ts = 1000;
        int stackTs;
        Conn(Probe p) {
            this.p = p;
        }

        void data(byte[] payload, int flags) {
            p.sendTcp(SPORT, PORT, snd, rcv, Pkt.ACK | flags, 65535, Probe.tsOpts(++ts, stackTs), payload);
            snd += payload.length + ((flags & Pkt.FIN) != 0 ? 1 : 0);
        }
    }

    static Conn establish(Probe p) {
        Conn c = new Conn(p);
        p.stack.listen(PORT, 16, conn -> c.app);
        p.sendTcp(SPORT, PORT, PISS, 0, Pkt.SYN, 65535, Probe.synOpts(c.ts), null);
        Pkt synAck = p.lastTcp();
        assertNotNull(synAck);
        assertTrue(synAck.has(Pkt.SYN) && synAck.has(Pkt.ACK));
        assertEquals(PISS + 1, synAck.ack());
        c.snd = PISS + 1;
        c.rcv = synAck.seq() + 1;
        c.stackTs = Probe.tsVal(synAck);
        p.sendTcp(SPORT, PORT, c.snd, c.rcv, Pkt.ACK, 65535 >> 7 == 0 ? 1 : 512, Probe.tsOpts(++c.ts, c.stackTs), null);
        assertTrue(c.app.connected);
        assertEquals(TcpState.ESTABLISHED, c.app.conn.state());
        p.drain();
        return c;
    }

    @Test
    void synToClosedPortIsAnsweredWithRstAck() {
        Probe p = new Probe(null);
        p.sendTcp(SPORT, 81, 1234, 0, Pkt.SYN, 1000, null, null);
        Pkt r = p.lastTcp();
        assertTrue(r.has(Pkt.RST) && r.has(Pkt.ACK));
        assertEquals(0, r.seq());
        assertEquals(1235, r.ack());
        p.sendTcp(SPORT, 81, 1234, 999, Pkt.ACK, 1000, null, null);
        r = p.lastTcp();
        assertTrue(r.has(Pkt.RST) && !r.has(Pkt.ACK));
        assertEquals(999, r.seq());
        p.sendTcp(SPORT, 81, 1234, 999, Pkt.RST, 1000, null, null);
        assertNull(p.lastTcp(), "never answer a RST");
    }

    @Test
    void synAckCarriesNegotiatedOptions() {
        Probe p = new Probe(null);
        Conn c = establish(p);
        assertTrue(c.app.conn.windowScaling() && c.app.conn.sack() && c.app.conn.timestamps());
        assertEquals(1460, c.app.conn.mss());
        // a SYN without options gets a SYN-ACK with only MSS
        p.sendTcp(SPORT + 1, PORT, 5, 0, Pkt.SYN, 1000, null, null);
        Pkt sa = p.lastTcp();
        assertNotNull(sa.option(2));
        assertNull(sa.option(3));
        assertNull(sa.option(4));
        assertNull(sa.option(8));
        assertEquals(1460, ByteBuffer.wrap(sa.option(2)).getShort() & 0xffff);
    }

    @Test
    void dataIsDeliveredAndDelayedAckFollowsRfc1122() {
        Probe p = new Probe(null);
        Conn c = establish(p);
        c.app.keep = true;
        byte[] one = new byte[100];
        for (int i = 0; i < one.length; i++) {
            one[i] = Endpoint.pattern(i, 0x55 ^ 0x55);
        }
        c.data(one, Pkt.PSH);
        assertEquals(100, c.app.received);
        assertNull(p.lastTcp(), "a single segment's ACK is delayed");
        p.advance(45 * Probe.MS);
        Pkt ack = p.lastTcp();
        assertNotNull(ack, "delayed ACK within 40ms + slack");
        assertEquals(c.snd, ack.ack());
        // two full-sized segments are acknowledged at once
        byte[] big = new byte[1448];
        c.data(big, 0);
        c.data(big, 0);
        ack = p.lastTcp();
        assertNotNull(ack);
        assertEquals(c.snd, ack.ack());
    }

    @Test
    void outOfOrderDataGetsImmediateDupAckWithSack() {
        Probe p = new Probe(null);
        Conn c = establish(p);
        int base = c.snd;
        c.snd = base + 1000;
        c.data(new byte[500], 0);
        Pkt dup = p.lastTcp();
        assertNotNull(dup);
        assertEquals(base, dup.ack());
        byte[] sack = dup.option(5);
        assertNotNull(sack, "SACK block for the out-of-order data");
        ByteBuffer sb = ByteBuffer.wrap(sack);
        assertEquals(base + 1000, sb.getInt(0));
        assertEquals(base + 1500, sb.getInt(4));
        assertEquals(1, p.stack.stats().get("tcp.ooo_segments_queued"));
        // filling the hole acknowledges everything at once
        c.snd = base;
        c.data(new byte[1000], 0);
        Pkt full = p.lastTcp();
        assertEquals(base + 1500, full.ack());
        assertNull(full.option(5));
        assertEquals(1500, c.app.received);
    }

    @Test
    void finAndTimeWait() {
        Probe p = new Probe(null);
        Conn c = establish(p);
        c.data(new byte[0], Pkt.FIN);
        Pkt a = p.lastTcp();
        assertEquals(c.snd, a.ack());
        assertTrue(c.app.peerClosed);
        assertEquals(TcpState.CLOSE_WAIT, c.app.conn.state());
        c.app.conn.close();
        Pkt fin = p.lastTcp();
        assertTrue(fin.has(Pkt.FIN));
        assertEquals(TcpState.LAST_ACK, c.app.conn.state());
        p.sendTcp(SPORT, PORT, c.snd, fin.seq() + 1, Pkt.ACK, 1000, Probe.tsOpts(++c.ts, c.stackTs), null);
        assertEquals(TcpState.CLOSED, c.app.conn.state());
        assertTrue(c.app.closed);
    }

    @Test
    void activeCloseHoldsTimeWaitAndReacksFin() {
        Probe p = new Probe(null);
        Conn c = establish(p);
        c.app.conn.close();
        Pkt fin = p.lastTcp();
        assertTrue(fin.has(Pkt.FIN));
        c.rcv = fin.seq() + 1;
        c.data(new byte[0], Pkt.FIN);
        assertEquals(TcpState.TIME_WAIT, c.app.conn.state());
        assertEquals(c.snd, p.lastTcp().ack());
        // the peer missed our ACK and retransmits its FIN
        p.sendTcp(SPORT, PORT, c.snd - 1, c.rcv, Pkt.ACK | Pkt.FIN, 1000, Probe.tsOpts(++c.ts, c.stackTs), null);
        assertEquals(c.snd, p.lastTcp().ack());
        p.advance(59_000 * Probe.MS);
        assertEquals(TcpState.TIME_WAIT, c.app.conn.state());
        p.advance(2_000 * Probe.MS);
        assertEquals(TcpState.CLOSED, c.app.conn.state());
    }

    @Test
    void dataAfterCloseIsAnsweredWithRst() {
        Probe p = new Probe(null);
        Conn c = establish(p);
        c.app.conn.close();
        Pkt fin = p.lastTcp();
        c.rcv = fin.seq() + 1;
        c.data(new byte[10], 0);
        Pkt r = p.lastTcp();
        assertTrue(r.has(Pkt.RST));
        assertEquals(TcpState.CLOSED, c.app.conn.state());
    }

    @Test
    void retransmissionTimerBacksOffExponentially() {
        Probe p = new Probe(null);
        p.stack.listen(PORT, 16, conn -> new Endpoint(1));
        p.sendTcp(SPORT, PORT, PISS, 0, Pkt.SYN, 65535, null, null);
        Pkt first = p.lastTcp();
        long t0 = p.now;
        List<Long> times = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) {
            long start = p.now;
            for (int step = 0; step < 10_000; step++) {
                p.advance(Probe.MS);
                Pkt r = p.lastTcp();
                if (r != null) {
                    assertEquals(first.seq(), r.seq());
                    assertTrue(r.has(Pkt.SYN));
                    times.add(p.now - t0);
                    break;
                }
            }
        }
        assertEquals(3, times.size());
        assertEquals(1000, times.get(0) / Probe.MS, 2);
        assertEquals(3000, times.get(1) / Probe.MS, 2);
        assertEquals(7000, times.get(2) / Probe.MS, 2);
    }

    @Test
    void rtoFallsBackToThreeSecondsAfterARetransmittedSyn() {
        Probe p = new Probe(null);
        Endpoint e = new Endpoint(1);
        TcpConnection c = p.stack.connect(Probe.PEER, 80, 41500, e);
        Pkt syn = p.lastTcp();
        p.advance(1_001 * Probe.MS);
        assertNotNull(p.lastTcp(), "SYN retransmitted after 1 s");
        // answer without timestamps: no RTT sample is possible (Karn)
        p.sendTcp(80, 41500, 9000, syn.seq() + 1, Pkt.SYN | Pkt.ACK, 65535, new byte[] {2, 4, 5, (byte) 0xb4}, null);
        assertEquals(TcpState.ESTABLISHED, c.state());
        p.drain();
        c.write(ByteBuffer.wrap(new byte[100]));
        assertEquals(100, p.lastTcp().payload().length);
        p.advance(2_900 * Probe.MS);
        assertNull(p.lastTcp(), "no retransmission before 3 s");
        p.advance(200 * Probe.MS);
        Pkt r = p.lastTcp();
        assertNotNull(r);
        assertEquals(100, r.payload().length);
    }

    @Test
    void synCookiesUnderFlood() {
        Probe p = new Probe(c -> c.synCookieThreshold(1000));
        Endpoint app = new Endpoint(0x55);
        p.stack.listen(PORT, 4, conn -> app);
        for (int i = 0; i < 50; i++) {
            p.sendTcp(20000 + i, PORT, 1000 * i, 0, Pkt.SYN, 65535, Probe.synOpts(5), null);
        }
        List<Pkt> synAcks = p.tcpOut();
        assertEquals(50, synAcks.size(), "every SYN is answered");
        assertEquals(46, p.stack.stats().get("tcp.syn_cookies_sent"));
        assertEquals(4, p.stack.tcpConnectionCount(), "only the backlog holds state");
        Pkt last = synAcks.get(49);
        assertNotNull(last.option(3), "cookie SYN-ACK still offers window scaling (encoded in the timestamp)");
        // complete the last handshake from the cookie
        int tsEcr = Probe.tsVal(last);
        p.sendTcp(20049, PORT, 1000 * 49 + 1, last.seq() + 1, Pkt.ACK, 100, Probe.tsOpts(6, tsEcr), "hi".getBytes());
        assertTrue(app.connected);
        assertEquals(2, app.received);
        assertTrue(app.conn.windowScaling() && app.conn.sack() && app.conn.timestamps());
        assertEquals(1, p.stack.stats().get("tcp.syn_cookies_accepted"));
        // a forged ACK does not create a connection
        p.sendTcp(30000, PORT, 77, 12345, Pkt.ACK, 100, null, null);
        assertEquals(1, p.stack.stats().get("tcp.drop.bad_cookie"));
        assertTrue(p.lastTcp().has(Pkt.RST));
    }

    @Test
    void keepaliveProbesAndTimesOut() {
        Probe p = new Probe(c -> c.keepalive(10_000 * Probe.MS, 1_000 * Probe.MS, 3));
        Conn c = establish(p);
        c.app.conn.setKeepAlive(true);
        p.advance(10_001 * Probe.MS);
        Pkt ka = p.lastTcp();
        assertNotNull(ka);
        assertEquals(c.rcv - 1, ka.seq(), "keepalive uses SND.NXT-1");
        assertEquals(0, ka.payload().length);
        p.advance(5_000 * Probe.MS);
        assertEquals(TcpState.CLOSED, c.app.conn.state());
        assertEquals(TcpError.TIMED_OUT, c.app.error);
        assertEquals(3, p.stack.stats().get("tcp.keepalive_probes"));
    }

    @Test
    void windowScaleIsAppliedToPeerWindow() {
        Probe p = new Probe(null);
        Conn c = establish(p);
        // peer advertised 512 << 7 = 65536 bytes in the final ACK; stack may fill it
        c.app.conn.write(ByteBuffer.allocate(200_000));
        List<Pkt> sent = p.tcpOut();
        long bytes = sent.stream().mapToLong(k -> k.payload().length).sum();
        assertEquals(10 * 1448, bytes, "initial window of 10 segments (RFC 6928), under the peer's scaled window");
    }
}
