package yastack.stack;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * ECN (RFC 3168) on one stack against a scripted peer: what the differential rows cannot show, the sender's window
 * (reduced once per window of data), CWR on exactly one segment, ECT never on a retransmission, ACK timing, the SYN
 * cookie's echo and the {@code StackConfig.ecn} knob.
 */
class EcnTest {
    static final int SPORT = 33000, PORT = 80, PISS = 0x7000_0000;
    static final int ECE = Pkt.ECE, CWR = Pkt.CWR, ECT0 = 0x02, CE = 0x03;
    static final int SEG = 1448; // MSS 1460 less the timestamp option

    /** A connection the peer opened to the stack's listener, asking for ECN when {@code ask}. */
    static final class Peer {
        final Probe p;
        final Endpoint app = new Endpoint(0x33);
        final Pkt synAck;
        int snd = PISS + 1;
        final int base; // the stack's first data byte
        int ts = 1000;

        Peer(Probe p, boolean ask) {
            this.p = p;
            p.stack.listen(PORT, 16, conn -> app);
            p.sendTcp(SPORT, PORT, PISS, 0, Pkt.SYN | (ask ? ECE | CWR : 0), 65535, Probe.synOpts(ts), null);
            synAck = p.lastTcp();
            base = synAck.seq() + 1;
            ack(base, 0);
            assertNotNull(app.conn, "established");
            p.drain();
        }

        void ack(int ackNo, int flags) {
            send(snd, ackNo, Pkt.ACK | flags, 0, null);
        }

        void data(String text, int ackNo, int flags, int tos) {
            send(snd, ackNo, Pkt.ACK | Pkt.PSH | flags, tos, text.getBytes());
            snd += text.length();
        }

        private void send(int seq, int ackNo, int flags, int tos, byte[] payload) {
            byte[] f = p.tcp(SPORT, PORT, seq, ackNo, flags, 65535, Probe.tsOpts(++ts, Probe.tsVal(synAck)), payload);
            p.inject(tos == 0 ? f : IpDifferentialRows.withTos(f, tos));
        }

        /** The application writes {@code segments} full segments; returns what the stack sent. */
        List<Pkt> write(int segments) {
            assertEquals(segments * SEG, app.conn.write(ByteBuffer.wrap(new byte[segments * SEG])));
            return p.tcpOut();
        }

        long stat(Stat s) {
            return p.stack.stats().get(s);
        }
    }

    private static Peer ecnPeer(Consumer<StackConfig> tune) {
        Peer c = new Peer(new Probe(tune), true);
        assertTrue(c.app.conn.ecn(), "the peer asked: ECN is on");
        return c;
    }

    @Test
    void eceReducesTheWindowOncePerWindowOfDataWithoutRetransmitting() {
        Peer c = ecnPeer(null);
        List<Pkt> sent = c.write(20);
        assertEquals(10, sent.size(), "the initial window");
        long initial = c.app.conn.congestionWindow();
        c.ack(c.base + SEG, ECE);
        long reduced = c.app.conn.congestionWindow();
        assertEquals((long) (initial * 0.7), reduced, "CUBIC's decrease, as for a loss");
        assertEquals(1, c.stat(Stat.TCP_ECN_WINDOW_REDUCTIONS));
        c.ack(c.base + 2 * SEG, ECE);
        assertEquals(reduced, c.app.conn.congestionWindow(), "a second ECE in the same window changes nothing");
        assertEquals(1, c.stat(Stat.TCP_ECN_WINDOW_REDUCTIONS));
        assertEquals(0, c.stat(Stat.TCP_RETRANSMITS), "ECE retransmits nothing");
        for (int k = 3; k <= 10; k++) {
            c.ack(c.base + k * SEG, 0);
        }
        assertEquals(reduced, c.app.conn.congestionWindow(), "no growth until data sent after the reduction is acknowledged");
        List<Pkt> after = c.p.tcpOut();
        assertFalse(after.isEmpty());
        for (int i = 0; i < after.size(); i++) {
            assertEquals(i == 0, after.get(i).has(CWR), "CWR on the first new data only, segment " + i);
            assertEquals(ECT0, after.get(i).tos(), "new data is ECT(0)");
        }
        c.ack(c.base + 11 * SEG, ECE);
        assertEquals(2, c.stat(Stat.TCP_ECN_WINDOW_REDUCTIONS), "the next window may be reduced again");
        assertTrue(c.app.conn.congestionWindow() < reduced);
    }

    @Test
    void newRenoHalvesTheFlightOnEce() {
        Peer c = ecnPeer(cfg -> cfg.congestionControl(NewReno::new));
        c.write(10);
        long mss = c.app.conn.mss();
        c.ack(c.base + SEG, ECE);
        assertEquals(10L * SEG / 2, c.app.conn.congestionWindow(), "RFC 5681 (4): half of what was in flight");
        assertTrue(c.app.conn.congestionWindow() >= 2 * mss);
    }

    @Test
    void noEctAndNoCwrOnRetransmissionsCwrOnTheNextNewData() {
        Peer c = ecnPeer(null);
        for (Pkt s : c.write(3)) {
            assertEquals(ECT0, s.tos());
            assertFalse(s.has(CWR));
        }
        c.ack(c.base + SEG, ECE); // reduction: CWR waits for new data
        c.p.advance(1500 * Probe.MS); // the RTO resends what is outstanding
        List<Pkt> resent = c.p.tcpOut();
        assertFalse(resent.isEmpty());
        for (Pkt s : resent) {
            assertTrue(Seq.lt(s.seq(), c.base + 3 * SEG), "a retransmission");
            assertEquals(0, s.tos(), "RFC 3168 6.1.5: no ECT on a retransmission");
            assertFalse(s.has(CWR), "CWR goes on new data");
        }
        c.ack(c.base + 3 * SEG, 0);
        List<Pkt> fresh = c.write(1);
        assertEquals(1, fresh.size());
        assertTrue(fresh.get(0).has(CWR));
        assertEquals(ECT0, fresh.get(0).tos());
        c.ack(c.base + 4 * SEG, 0);
        assertFalse(c.write(1).get(0).has(CWR), "once");
    }

    @Test
    void fastRetransmitIsNotEctAndALossInAReducedWindowReducesNothingMore() {
        Peer c = ecnPeer(null);
        c.write(10);
        c.ack(c.base + SEG, ECE);
        long reduced = c.app.conn.congestionWindow();
        for (int k = 0; k < 3; k++) {
            c.ack(c.base + SEG, 0); // three duplicates: the second segment was lost
        }
        assertEquals(1, c.stat(Stat.TCP_FAST_RETRANSMITS));
        assertEquals(reduced, c.app.conn.congestionWindow(), "ECE already reduced this window (RFC 3168 6.1.2)");
        List<Pkt> out = c.p.tcpOut();
        Pkt rexmit = out.stream().filter(s -> s.seq() == c.base + SEG).findFirst().orElseThrow();
        assertEquals(0, rexmit.tos());
        assertFalse(rexmit.has(CWR));
    }

    @Test
    void fastRetransmitAloneMarksTheNextNewDataCwr() {
        Peer c = ecnPeer(null);
        c.write(5);
        for (int k = 0; k < 3; k++) {
            c.ack(c.base, 0);
        }
        assertEquals(1, c.stat(Stat.TCP_FAST_RETRANSMITS));
        c.p.drain();
        c.ack(c.base + 5 * SEG, 0);
        Pkt next = c.write(1).get(0);
        assertTrue(next.has(CWR), "RFC 3168 6.1.2: CWR after any reduction");
        assertEquals(0, c.stat(Stat.TCP_ECN_WINDOW_REDUCTIONS), "counted as a loss, not as ECE");
    }

    @Test
    void ceIsAcknowledgedAtOnceAndEchoedOnDataUntilCwr() {
        Peer c = ecnPeer(null);
        c.data("plain", c.base, 0, ECT0);
        assertTrue(c.p.tcpOut().isEmpty(), "one ECT(0) segment waits for the delayed ACK");
        c.p.advance(100 * Probe.MS);
        c.p.drain();
        c.data("marked", c.base, 0, CE);
        List<Pkt> out = c.p.tcpOut();
        assertEquals(1, out.size(), "CE is acknowledged at once");
        assertTrue(out.get(0).has(ECE));
        assertEquals(1, c.stat(Stat.TCP_ECN_CE_RECEIVED));
        Pkt reply = c.write(1).get(0);
        assertTrue(reply.has(ECE), "our data echoes too");
        assertEquals(ECT0, reply.tos());
        c.data("cwr", c.base + SEG, CWR, ECT0);
        out = c.p.tcpOut();
        assertEquals(1, out.size(), "data with CWR is acknowledged at once");
        assertFalse(out.get(0).has(ECE));
    }

    @Test
    void theKnobOffAgreesToNothing() {
        Peer c = new Peer(new Probe(cfg -> cfg.ecn(false)), true);
        assertFalse(c.synAck.has(ECE));
        assertFalse(c.app.conn.ecn());
        c.data("marked", c.base, 0, CE);
        c.p.advance(100 * Probe.MS);
        assertFalse(c.p.lastTcp().has(ECE), "CE is not echoed");
        assertEquals(0, c.stat(Stat.TCP_ECN_CE_RECEIVED));
        Pkt s = c.write(1).get(0);
        assertEquals(0, s.tos(), "data is not ECT");
        c.ack(c.base + SEG, ECE);
        assertEquals(0, c.stat(Stat.TCP_ECN_WINDOW_REDUCTIONS));
        assertFalse(c.write(1).get(0).has(CWR));
        assertEquals(0, c.stat(Stat.TCP_ECN_CONNECTIONS));
        assertEquals(1, new Peer(new Probe(null), true).stat(Stat.TCP_ECN_CONNECTIONS), "on by default");
    }

    @Test
    void ourActiveOpenNeverAsks() {
        Probe p = new Probe(null);
        p.stack.connect(Probe.PEER, 80, 40000, new Endpoint(1));
        Pkt syn = p.lastTcp();
        assertTrue(syn.has(Pkt.SYN));
        assertFalse(syn.has(ECE) || syn.has(CWR), "tcp_ecn=2: accept, never ask");
    }

    @Test
    void aSynCookieCarriesEcnInTheTimestampEcho() {
        Peer c = new Peer(new Probe(cfg -> cfg.synCookieThreshold(0)), true);
        assertEquals(1, c.stat(Stat.TCP_SYN_COOKIES_ACCEPTED));
        assertTrue(c.synAck.has(ECE));
        assertEquals(0x20, Probe.tsVal(c.synAck) & 0x20, "the bit Linux uses");
        assertTrue(c.app.conn.ecn());
        assertEquals(1, c.stat(Stat.TCP_ECN_CONNECTIONS));
        c.data("marked", c.base, 0, CE);
        assertTrue(c.p.lastTcp().has(ECE));

        Probe p = new Probe(cfg -> cfg.synCookieThreshold(0));
        p.stack.listen(PORT, 16, conn -> new Endpoint(2));
        p.sendTcp(SPORT, PORT, PISS, 0, Pkt.SYN | ECE | CWR, 65535, null, null);
        assertFalse(p.lastTcp().has(ECE), "without timestamps a cookie has no room for ECN");
    }
}
