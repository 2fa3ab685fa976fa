package yastack.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * RFC 9293 3.10.7 "segment arrives", row by row, for the cases the other wire tests do not pin down:
 * segments without flags, illegal combinations (SYN+FIN, SYN+RST), FIN without ACK, a retransmitted SYN in
 * SYN_RECEIVED and the TIME_WAIT rules. Each row sends exact bytes from a scripted peer and checks the
 * stack's answer on the wire, its state and its counters (which the kernel comparison in
 * {@link LinuxDifferentialTest} cannot see). These run without root.
 */
class SegmentArrivesTest {
    static final int SPORT = WireTcpTest.SPORT, PORT = WireTcpTest.PORT, PISS = WireTcpTest.PISS;

    private static long stat(Probe p, Stat s) {
        return p.stack.stats().get(s);
    }

    /**
     * "Illegal" flag combinations are processed in the RFC's order, as Linux does: RST before SYN before ACK, so in
     * ESTABLISHED SYN+FIN gets a challenge ACK and SYN+RST at RCV.NXT resets; a segment without ACK, RST or SYN
     * (no flags, only ECE/CWR) is dropped and counted, and leaves the connection untouched.
     */
    @Test
    void illegalFlagCombinationsFollowTheRfcOrder() {
        Probe p = new Probe(null);
        WireTcpTest.Conn c = WireTcpTest.establish(p);
        c.app.keep = true;
        for (int flags : new int[] {0, 0xC0 /* ECE+CWR only */, Pkt.FIN | Pkt.PSH}) {
            long before = stat(p, Stat.TCP_DROP_BAD_FLAGS);
            p.sendTcp(SPORT, PORT, c.snd, c.rcv, flags, 512, Probe.tsOpts(++c.ts, c.stackTs), new byte[] {1});
            assertNull(p.lastTcp(), "no answer to flags " + flags);
            assertEquals(before + 1, stat(p, Stat.TCP_DROP_BAD_FLAGS), "counted: flags " + flags);
            assertEquals(0, c.app.conn.readableBytes(), "no data taken from flags " + flags);
        }
        long challenges = stat(p, Stat.TCP_CHALLENGE_ACKS);
        p.sendTcp(SPORT, PORT, c.snd, 0, Pkt.SYN | Pkt.FIN, 512, Probe.tsOpts(++c.ts, c.stackTs), null);
        Pkt r = p.lastTcp();
        assertNotNull(r, "SYN+FIN: a challenge ACK");
        assertEquals(Pkt.ACK, r.flags() & (Pkt.ACK | Pkt.SYN | Pkt.RST | Pkt.FIN));
        assertEquals(c.snd, r.ack());
        assertEquals(challenges + 1, stat(p, Stat.TCP_CHALLENGE_ACKS));
        c.data("ok".getBytes(), Pkt.PSH);
        assertEquals("ok", c.app.data.toString(), "still fully working");
        p.sendTcp(SPORT, PORT, c.snd, 0, Pkt.SYN | Pkt.RST, 512, Probe.tsOpts(++c.ts, c.stackTs), null);
        assertNull(p.lastTcp(), "SYN+RST at RCV.NXT is a RST");
        assertTrue(c.app.reset);
        assertEquals(TcpState.CLOSED, c.app.conn.state());
    }

    /** To a closed port every segment but a RST gets a RST, whatever its flags (RFC 9293 3.10.7.1, as Linux). */
    @Test
    void closedPortAnswersIllegalCombinationsWithRst() {
        Probe p = new Probe(null);
        int[][] cases = {{Pkt.SYN | Pkt.FIN, 2}, {0, 0}, {Pkt.FIN, 1}, {0xC0, 0}, {Pkt.PSH, 3}};
        for (int[] k : cases) {
            p.sendTcp(SPORT, 81, 5000, 0, k[0], 1000, null, k[0] == Pkt.PSH ? new byte[3] : null);
            Pkt r = p.lastTcp();
            assertNotNull(r, "flags " + k[0]);
            assertEquals(Pkt.RST | Pkt.ACK, r.flags(), "flags " + k[0]);
            assertEquals(0, r.seq());
            assertEquals(5000 + k[1], r.ack(), "SEG.SEQ+SEG.LEN for flags " + k[0]);
        }
        p.sendTcp(SPORT, 81, 5000, 0, Pkt.SYN | Pkt.RST, 1000, null, null);
        assertNull(p.lastTcp(), "never a RST for a RST");
    }

    /** RFC 9293 3.10.7.4 fifth check: a FIN (or data) without ACK is dropped; no CLOSE_WAIT, no data. */
    @Test
    void finWithoutAckIsDropped() {
        Probe p = new Probe(null);
        WireTcpTest.Conn c = WireTcpTest.establish(p);
        long before = stat(p, Stat.TCP_DROP_BAD_FLAGS);
        p.sendTcp(SPORT, PORT, c.snd, 0, Pkt.FIN, 512, Probe.tsOpts(++c.ts, c.stackTs), "x".getBytes());
        assertEquals(TcpState.ESTABLISHED, c.app.conn.state());
        assertEquals(0, c.app.conn.readableBytes());
        assertEquals(before + 1, stat(p, Stat.TCP_DROP_BAD_FLAGS));
        p.sendTcp(SPORT, PORT, c.snd, 0, Pkt.PSH, 512, Probe.tsOpts(++c.ts, c.stackTs), "y".getBytes());
        assertEquals(0, c.app.conn.readableBytes(), "data without ACK is not taken");
        assertEquals(before + 2, stat(p, Stat.TCP_DROP_BAD_FLAGS));
        p.sendTcp(SPORT, PORT, c.snd + 100_000, 0, Pkt.FIN, 512, Probe.tsOpts(++c.ts, c.stackTs), null);
        assertNull(p.lastTcp(), "not even an ACK outside the window (as Linux)");
        c.data(new byte[0], Pkt.FIN);
        assertEquals(TcpState.CLOSE_WAIT, c.app.conn.state(), "the same FIN with ACK is taken");
    }

    /** After the peer's FIN a RST carrying the FIN's sequence number (RCV.NXT-1) resets, as on Linux. */
    @Test
    void rstOnThePeersFinResetsInCloseWait() {
        Probe p = new Probe(null);
        WireTcpTest.Conn c = WireTcpTest.establish(p);
        c.data(new byte[0], Pkt.FIN);
        assertEquals(TcpState.CLOSE_WAIT, c.app.conn.state());
        p.drain();
        p.sendTcp(SPORT, PORT, c.snd - 2, 0, Pkt.RST, 512, null, null);
        assertEquals(TcpState.CLOSE_WAIT, c.app.conn.state(), "RCV.NXT-2 is outside the window: ignored");
        p.sendTcp(SPORT, PORT, c.snd - 1, 0, Pkt.RST, 512, null, null);
        assertNull(p.lastTcp());
        assertTrue(c.app.reset);
        assertEquals(TcpState.CLOSED, c.app.conn.state());
    }

    /** RFC 5961 4.2: a SYN in a synchronized state, in window or not, gets a (rate-limited) challenge ACK. */
    @Test
    void synInEstablishedGetsChallengeAckWhateverItsSequence() {
        Probe p = new Probe(null);
        WireTcpTest.Conn c = WireTcpTest.establish(p);
        for (int seq : new int[] {c.snd, c.snd + 100, c.snd - 100_000, c.snd + 1_000_000}) {
            p.sendTcp(SPORT, PORT, seq, 0, Pkt.SYN, 512, Probe.synOpts(++c.ts), null);
            Pkt r = p.lastTcp();
            assertNotNull(r, "answer to a SYN at " + (seq - c.snd));
            assertEquals(Pkt.ACK, r.flags() & (Pkt.ACK | Pkt.SYN | Pkt.RST), "a bare ACK");
            assertEquals(c.snd, r.ack(), "acknowledges RCV.NXT");
            assertEquals(TcpState.ESTABLISHED, c.app.conn.state());
        }
    }

    /** SYN_RECEIVED: the peer's retransmitted SYN (our SYN-ACK was lost) is answered with the SYN-ACK at once. */
    @Test
    void retransmittedSynInSynReceivedIsAnsweredWithSynAck() {
        Probe p = new Probe(null);
        p.stack.listen(PORT, 16, conn -> new Endpoint(1));
        p.sendTcp(SPORT, PORT, PISS, 0, Pkt.SYN, 65535, Probe.synOpts(1000), null);
        Pkt first = p.lastTcp();
        assertTrue(first.has(Pkt.SYN) && first.has(Pkt.ACK));
        p.advance(200 * Probe.MS); // well before our own SYN-ACK retransmission
        p.sendTcp(SPORT, PORT, PISS, 0, Pkt.SYN, 65535, Probe.synOpts(1200), null);
        Pkt again = p.lastTcp();
        assertNotNull(again, "the retransmitted SYN is answered");
        assertTrue(again.has(Pkt.SYN) && again.has(Pkt.ACK), "with the SYN-ACK, not a bare ACK");
        assertEquals(first.seq(), again.seq());
        assertEquals(PISS + 1, again.ack());
        // a SYN at another sequence number in the window ends the embryo with a RST (RFC 9293 3.10.7.4 without
        // the optional RFC 5961 challenge, as Linux's request sockets)
        p.sendTcp(SPORT, PORT, PISS + 5000, 0, Pkt.SYN, 65535, Probe.synOpts(1300), null);
        Pkt other = p.lastTcp();
        assertNotNull(other);
        assertEquals(Pkt.RST | Pkt.ACK, other.flags());
        assertEquals(PISS + 5001, other.ack());
        assertEquals(0, p.stack.tcp.connectionCount());
    }

    /** LISTEN (3.10.7.2): RST ignored, ACK answered by RST seq=SEG.ACK, no flags dropped, no connection made. */
    @Test
    void listenRows() {
        Probe p = new Probe(null);
        p.stack.listen(PORT, 16, conn -> new Endpoint(1));
        p.sendTcp(SPORT, PORT, 100, 0, Pkt.RST, 1000, null, null);
        assertNull(p.lastTcp(), "RST to a listener: ignored");
        p.sendTcp(SPORT, PORT, 100, 777, Pkt.ACK, 1000, null, null);
        Pkt r = p.lastTcp();
        assertTrue(r.has(Pkt.RST) && !r.has(Pkt.ACK));
        assertEquals(777, r.seq());
        p.sendTcp(SPORT, PORT, 100, 0, Pkt.FIN, 1000, null, null);
        assertNull(p.lastTcp(), "FIN without ACK to a listener: dropped");
        assertEquals(0, p.stack.tcp.connectionCount());
    }

    /**
     * TIME_WAIT: only the retransmission of the FIN we acknowledged restarts 2MSL (Linux restarts it for any
     * segment with ACK); any other FIN or segment is answered with an ACK but cannot keep the entry alive, so a
     * blind or stale sender cannot hold the tuple forever.
     */
    @Test
    void onlyTheRetransmittedFinRestartsTimeWait() {
        Probe p = new Probe(null);
        WireTcpTest.Conn c = WireTcpTest.establish(p);
        c.app.conn.close();
        Pkt fin = p.lastTcp();
        c.rcv = fin.seq() + 1;
        c.data(new byte[0], Pkt.FIN);
        assertEquals(TcpState.TIME_WAIT, c.app.conn.state());
        p.drain();
        p.advance(40_000 * Probe.MS);
        // a FIN beyond the one we acknowledged, and a FIN without ACK: neither restarts the timer
        p.sendTcp(SPORT, PORT, c.snd + 1000, c.rcv, Pkt.ACK | Pkt.FIN, 1000, Probe.tsOpts(++c.ts, c.stackTs), null);
        Pkt r = p.lastTcp();
        assertNotNull(r, "an out-of-window FIN gets an ACK");
        assertEquals(c.snd, r.ack());
        p.sendTcp(SPORT, PORT, c.snd - 1, 0, Pkt.FIN, 1000, Probe.tsOpts(++c.ts, c.stackTs), null);
        assertNotNull(p.lastTcp(), "a FIN without ACK is acknowledged too (as Linux)");
        p.advance(21_000 * Probe.MS);
        assertEquals(TcpState.CLOSED, c.app.conn.state(), "2MSL ran from the first FIN");
    }

    @Test
    void retransmittedFinRestartsTimeWait() {
        Probe p = new Probe(null);
        WireTcpTest.Conn c = WireTcpTest.establish(p);
        c.app.conn.close();
        Pkt fin = p.lastTcp();
        c.rcv = fin.seq() + 1;
        c.data(new byte[0], Pkt.FIN);
        p.drain();
        p.advance(40_000 * Probe.MS);
        p.sendTcp(SPORT, PORT, c.snd - 1, c.rcv, Pkt.ACK | Pkt.FIN, 1000, Probe.tsOpts(++c.ts, c.stackTs), null);
        assertEquals(c.snd, p.lastTcp().ack());
        p.advance(21_000 * Probe.MS);
        assertEquals(TcpState.TIME_WAIT, c.app.conn.state(), "restarted by the retransmitted FIN");
        p.advance(40_000 * Probe.MS);
        assertEquals(TcpState.CLOSED, c.app.conn.state());
    }
}
