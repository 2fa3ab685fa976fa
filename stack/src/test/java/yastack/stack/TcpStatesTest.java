package yastack.stack;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** RST in every state, TIME_WAIT reuse, linger 0, listener backlog, shards sharing one identity. */
class TcpStatesTest {
    static final long S = 1_000_000_000L;

    /** Drives a scripted connection into the given state and hits it with an exact RST. */
    @Test
    void exactRstClosesEveryState() {
        for (TcpState target : new TcpState[] {TcpState.SYN_RECEIVED, TcpState.ESTABLISHED, TcpState.FIN_WAIT_1,
                TcpState.FIN_WAIT_2, TcpState.CLOSE_WAIT, TcpState.CLOSING, TcpState.LAST_ACK, TcpState.TIME_WAIT}) {
            Probe p = new Probe(null);
            Endpoint app = new Endpoint(0x55);
            p.stack.listen(80, 16, c -> app);
            int pseq = 1000;
            p.sendTcp(33000, 80, pseq, 0, Pkt.SYN, 65535, null, null);
            Pkt sa = p.lastTcp();
            pseq++;
            int sseq = sa.seq() + 1;
            TcpConnection conn;
            if (target == TcpState.SYN_RECEIVED) {
                assertEquals(1, p.stack.tcpConnectionCount());
                p.sendTcp(33000, 80, pseq, 0, Pkt.RST, 0, null, null);
                assertEquals(0, p.stack.tcpConnectionCount(), "embryonic connection dropped");
                continue;
            }
            p.sendTcp(33000, 80, pseq, sseq, Pkt.ACK, 65535, null, null);
            conn = app.conn;
            switch (target) {
                case FIN_WAIT_1 -> conn.close();
                case FIN_WAIT_2 -> {
                    conn.shutdownOutput();
                    p.sendTcp(33000, 80, pseq, sseq + 1, Pkt.ACK, 65535, null, null);
                }
                case CLOSE_WAIT -> {
                    p.sendTcp(33000, 80, pseq, sseq, Pkt.ACK | Pkt.FIN, 65535, null, null);
                    pseq++;
                }
                case CLOSING -> {
                    conn.shutdownOutput();
                    p.sendTcp(33000, 80, pseq, sseq, Pkt.ACK | Pkt.FIN, 65535, null, null);
                    pseq++;
                }
                case LAST_ACK -> {
                    p.sendTcp(33000, 80, pseq, sseq, Pkt.ACK | Pkt.FIN, 65535, null, null);
                    pseq++;
                    conn.shutdownOutput();
                }
                case TIME_WAIT -> {
                    conn.shutdownOutput();
                    p.sendTcp(33000, 80, pseq, sseq + 1, Pkt.ACK | Pkt.FIN, 65535, null, null);
                    pseq++;
                }
                default -> {
                }
            }
            assertEquals(target, conn.state(), "reached " + target);
            p.drain();
            // a RST that is in the window but not exact only draws a challenge ACK
            p.sendTcp(33000, 80, pseq + 100, 0, Pkt.RST, 0, null, null);
            assertEquals(target, conn.state(), target + " survives an inexact RST");
            p.sendTcp(33000, 80, pseq, 0, Pkt.RST, 0, null, null);
            assertEquals(TcpState.CLOSED, conn.state(), target + " closes on an exact RST");
            assertEquals(0, p.stack.tcpConnectionCount());
        }
    }

    @Test
    void rstToSynSentWithAcceptableAckIsRefusedOtherwiseIgnored() {
        Probe p = new Probe(null);
        Endpoint e = new Endpoint(1);
        TcpConnection c = p.stack.connect(Probe.PEER, 80, 41000, e);
        Pkt syn = p.lastTcp();
        p.sendTcp(80, 41000, 0, syn.seq() + 5, Pkt.RST | Pkt.ACK, 0, null, null);
        assertEquals(TcpState.SYN_SENT, c.state(), "RST with a wrong ACK is ignored");
        p.sendTcp(80, 41000, 0, syn.seq() + 1, Pkt.RST | Pkt.ACK, 0, null, null);
        assertEquals(TcpState.CLOSED, c.state());
        assertEquals(TcpError.REFUSED, e.error);
    }

    @Test
    void timeWaitIsReusedByANewerSyn() {
        SimLink l = new SimLink(31);
        Endpoint server = new Endpoint(0x55 ^ 3);
        server.closeOnPeerClose = true;
        l.b.listen(80, 16, c -> server);
        Endpoint first = new Endpoint(3);
        first.toSend = 100;
        first.shutdownWhenDone = true;
        TcpConnection c1 = l.a.connect(SimLink.IP_B, 80, 45000, first);
        assertTrue(l.runUntil(() -> c1.state() == TcpState.TIME_WAIT, 5 * S));
        // A holds TIME_WAIT; reconnecting from the same port with timestamps reuses it (PAWS protects)
        Endpoint second = new Endpoint(3);
        Endpoint server2 = new Endpoint(0x55 ^ 3);
        l.b.tcp.listenerFor(80).close();
        l.b.listen(80, 16, c -> server2);
        second.toSend = 100;
        l.a.connect(SimLink.IP_B, 80, 45000, second);
        assertTrue(l.runUntil(() -> server2.received == 100, 5 * S));
        assertEquals(1, l.a.stats().get("tcp.time_wait_reused"));
    }

    @Test
    void serverSideTimeWaitAcceptsNewerSyn() {
        SimLink l = new SimLink(32);
        Endpoint server = new Endpoint(0x55 ^ 3);
        l.b.listen(80, 16, c -> server);
        Endpoint first = new Endpoint(3);
        first.closeOnPeerClose = true;
        TcpConnection c1 = l.a.connect(SimLink.IP_B, 80, 45001, first);
        assertTrue(l.runUntil(() -> server.connected, 5 * S));
        server.conn.close(); // server closes first: it holds TIME_WAIT
        assertTrue(l.runUntil(() -> server.conn.state() == TcpState.TIME_WAIT && c1.state() == TcpState.CLOSED, 5 * S));
        Endpoint again = new Endpoint(3);
        again.toSend = 10;
        l.a.connect(SimLink.IP_B, 80, 45001, again);
        assertTrue(l.runUntil(() -> again.connected && l.b.stats().get("tcp.time_wait_reused") == 1, 5 * S));
    }

    @Test
    void lingerZeroCloseSendsRst() {
        SimLink l = new SimLink(33);
        Endpoint[] p = TcpBasicTest.pair(l, 0, 0);
        assertTrue(l.runUntil(() -> p[1].connected, 5 * S));
        p[0].conn.setLinger(0);
        p[0].conn.close();
        assertTrue(l.runUntil(() -> p[1].reset, 5 * S));
    }

    @Test
    void closeWithUnreadDataSendsRst() {
        SimLink l = new SimLink(34);
        Endpoint[] p = TcpBasicTest.pair(l, 0, 500);
        p[0].reading = false;
        assertTrue(l.runUntil(() -> p[0].conn != null && p[0].conn.readableBytes() == 500, 5 * S));
        p[0].conn.close();
        assertTrue(l.runUntil(() -> p[1].reset, 5 * S));
    }

    @Test
    void backlogBoundsHalfOpenConnectionsWithoutCookies() {
        Probe p = new Probe(c -> c.synCookies(false));
        p.stack.listen(80, 2, c -> new Endpoint(1));
        for (int i = 0; i < 5; i++) {
            p.sendTcp(30000 + i, 80, i * 100, 0, Pkt.SYN, 1000, null, null);
        }
        assertEquals(2, p.stack.tcpConnectionCount());
        assertEquals(3, p.stack.stats().get("tcp.drop.backlog_full"));
        assertEquals(2, p.tcpOut().size());
    }

    @Test
    void acceptHandlerMayRefuse() {
        Probe p = new Probe(null);
        p.stack.listen(80, 2, c -> null);
        p.sendTcp(30000, 80, 100, 0, Pkt.SYN, 1000, null, null);
        Pkt sa = p.lastTcp();
        p.sendTcp(30000, 80, 101, sa.seq() + 1, Pkt.ACK, 1000, null, null);
        assertTrue(p.lastTcp().has(Pkt.RST));
        assertEquals(0, p.stack.tcpConnectionCount());
    }

    @Test
    void shardsShareOneIdentityAndSplitFlows() {
        // two shards with the same MAC/IP; even remote ports belong to shard 0, odd to shard 1
        SimLink l = new SimLink(35);
        StackConfig base = new StackConfig().mac("02:00:00:00:00:02").address(SimLink.IP_B, 24).randomSeed(5);
        FrameSink nul = new FrameSink() {
            final java.lang.foreign.MemorySegment m = java.lang.foreign.MemorySegment.ofArray(new byte[2048]);

            @Override
            public java.lang.foreign.MemorySegment acquire(int capacity) {
                return m;
            }

            @Override
            public void send(java.lang.foreign.MemorySegment buffer, int length) {
            }

            @Override
            public void flush() {
            }
        };
        NetStack shard1 = new NetStack(base.flowFilter((proto, ra, rp, la, lp) -> (rp & 1) == 1), l.clock, nul);
        int port = shard1.pickEphemeralPort(SimLink.IP_A, 80, p -> true);
        assertEquals(1, port & 1, "picked port is owned by the shard's filter");
        assertThrows(IllegalArgumentException.class, () -> shard1.connect(SimLink.IP_A, 80, 40000, new Endpoint(1)));
        byte[] syn = Pkt.tcpFrame(0x020000000002L, 0x020000000001L, SimLink.IP_A, SimLink.IP_B, 40000, 80, 1, 0, Pkt.SYN, 1000, null, null);
        shard1.listen(80, 4, c -> new Endpoint(1));
        shard1.input(java.lang.foreign.MemorySegment.ofArray(syn), syn.length);
        assertEquals(1, shard1.stats().get("tcp.drop.not_owned"));
        assertEquals(0, shard1.tcpConnectionCount());
    }

    @Test
    void statsReadAsNamedCounters() {
        SimLink l = new SimLink(36);
        Endpoint[] p = TcpBasicTest.pair(l, 1000, 0);
        assertTrue(l.runUntil(() -> p[1].received == 1000, 5 * S));
        var snap = l.b.stats().snapshot();
        assertEquals(1L, snap.get("tcp.state.established"));
        assertEquals(1L, snap.get("tcp.state.listen"));
        assertTrue(snap.get("tcp.rx") > 0);
        assertEquals(0L, snap.get("tcp.retransmits"), "listed, and zero on a link without loss");
        assertFalse(l.b.arpTable().isEmpty());
        p[0].conn.write(ByteBuffer.wrap(new byte[1]));
    }

    @Test
    void icmpPortUnreachableFailsAConnectInProgress() {
        Probe p = new Probe(null);
        Endpoint e = new Endpoint(1);
        p.stack.connect(Probe.PEER, 80, 41001, e);
        byte[] synFrame = p.drain().getLast();
        byte[] quote = java.util.Arrays.copyOfRange(synFrame, 14, 14 + 28);
        byte[] icmp = new byte[8 + quote.length];
        ByteBuffer ib = ByteBuffer.wrap(icmp);
        ib.put(0, (byte) 3).put(1, (byte) 3);
        System.arraycopy(quote, 0, icmp, 8, quote.length);
        ib.putShort(2, (short) Pkt.csum(icmp, 0, icmp.length, 0));
        p.inject(WireIpTest.ipFrame(Probe.STACK_MAC, Probe.PEER, Probe.STACK, 1, 9, 0, icmp));
        assertEquals(TcpError.REFUSED, e.error);
    }

    @Test
    void unresolvableNextHopFailsAConnectInProgress() {
        Probe p = new Probe(null);
        Endpoint e = new Endpoint(1);
        TcpConnection c = p.stack.connect(Wire.parseIp("10.0.0.200"), 80, 41002, e);
        p.advance(5_000 * Probe.MS);
        assertEquals(TcpError.UNREACHABLE, e.error);
        assertEquals(TcpState.CLOSED, c.state());
    }

    @Test
    void keepaliveRequestedBeforeTheHandshakeStartsOnceEstablished() {
        Probe p = new Probe(c -> c.keepalive(5_000 * Probe.MS, 1_000 * Probe.MS, 2));
        Endpoint e = new Endpoint(1);
        TcpConnection c = p.stack.connect(Probe.PEER, 80, 41003, e);
        c.setKeepAlive(true);
        Pkt syn = p.lastTcp();
        p.sendTcp(80, 41003, 500, syn.seq() + 1, Pkt.SYN | Pkt.ACK, 65535, null, null);
        assertEquals(TcpState.ESTABLISHED, c.state());
        p.drain();
        p.advance(5_100 * Probe.MS);
        Pkt probe = p.lastTcp();
        assertNotNull(probe, "keepalive probe after the idle time");
        assertEquals(syn.seq(), probe.seq());
        // the peer answers: the connection stays up
        p.sendTcp(80, 41003, 501, syn.seq() + 1, Pkt.ACK, 65535, null, null);
        p.advance(4_000 * Probe.MS);
        assertEquals(TcpState.ESTABLISHED, c.state());
    }
}
