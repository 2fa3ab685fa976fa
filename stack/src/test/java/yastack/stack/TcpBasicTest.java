package yastack.stack;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;

class TcpBasicTest {
    static final long S = 1_000_000_000L;

    /** Server endpoint that echoes nothing; the pattern salt of the receiver is the sender's salt ^ 0x55. */
    static Endpoint[] pair(SimLink l, long aToB, long bToA) {
        Endpoint server = new Endpoint(0x55 ^ 7);
        server.toSend = bToA;
        Endpoint client = new Endpoint(7);
        client.toSend = aToB;
        l.b.listen(80, 128, c -> server);
        l.a.connect(SimLink.IP_B, 80, 40000, client);
        return new Endpoint[] {client, server};
    }

    @Test
    void handshakeNegotiatesOptionsAndMovesDataBothWays() {
        SimLink l = new SimLink(1);
        Endpoint[] p = pair(l, 100_000, 50_000);
        Endpoint client = p[0], server = p[1];
        assertTrue(l.runUntil(() -> client.received == 50_000 && server.received == 100_000, 10 * S));
        assertEquals(-1, client.mismatchAt);
        assertEquals(-1, server.mismatchAt);
        assertTrue(client.conn.windowScaling() && client.conn.timestamps() && client.conn.sack());
        assertEquals(1460, client.conn.mss());
        assertEquals(TcpState.ESTABLISHED, client.conn.state());
        List<Pkt> syn = SimLink.tcp(l.sentByA);
        Pkt s0 = syn.get(0);
        assertTrue(s0.has(Pkt.SYN) && !s0.has(Pkt.ACK));
        assertNotNull(s0.option(2));
        assertNotNull(s0.option(3));
        assertNotNull(s0.option(4));
        assertNotNull(s0.option(8));
        assertTrue(s0.df());
        assertEquals(1, l.a.stats().get("tcp.connections_opened_active"));
        assertEquals(1, l.b.stats().get("tcp.connections_opened_passive"));
    }

    @Test
    void optionsOffOnEitherSideFallBack() {
        for (int side = 0; side < 2; side++) {
            final int s = side;
            SimLink l = new SimLink(2 + side, c -> {
                if (s == 0) {
                    c.windowScaling(false).sack(false).timestamps(false);
                }
            }, c -> {
                if (s == 1) {
                    c.windowScaling(false).sack(false).timestamps(false);
                }
            });
            Endpoint[] p = pair(l, 300_000, 0);
            assertTrue(l.runUntil(() -> p[1].received == 300_000, 20 * S));
            assertFalse(p[0].conn.windowScaling());
            assertFalse(p[0].conn.sack());
            assertFalse(p[0].conn.timestamps());
            assertFalse(p[1].conn.windowScaling());
            for (Pkt k : SimLink.tcp(l.sentByA)) {
                if (!k.has(Pkt.SYN)) {
                    assertNull(k.option(8), "no timestamps after a SYN without them");
                }
            }
        }
    }

    @Test
    void orderlyCloseGoesThroughTimeWait() {
        SimLink l = new SimLink(4);
        Endpoint[] p = pair(l, 10_000, 0);
        p[0].shutdownWhenDone = true;
        p[1].closeOnPeerClose = true;
        assertTrue(l.runUntil(() -> p[0].closed && p[1].closed, 10 * S));
        assertEquals(TcpState.TIME_WAIT, p[0].conn.state(), "active closer holds TIME_WAIT");
        assertEquals(0, p[0].conn.sendBuf.allocated() + p[0].conn.recvBuf.allocated(), "TIME_WAIT keeps no buffers");
        assertEquals(TcpState.CLOSED, p[1].conn.state());
        assertEquals(10_000, p[1].received);
        l.run(61 * S);
        assertEquals(TcpState.CLOSED, p[0].conn.state());
        assertEquals(0, l.a.tcpConnectionCount());
    }

    @Test
    void halfCloseKeepsTheOtherDirectionOpen() {
        SimLink l = new SimLink(5);
        Endpoint[] p = pair(l, 1000, 0);
        p[0].shutdownWhenDone = true;
        assertTrue(l.runUntil(() -> p[1].peerClosed && p[0].conn.state() == TcpState.FIN_WAIT_2, 5 * S));
        assertEquals(TcpState.FIN_WAIT_2, p[0].conn.state());
        assertEquals(TcpState.CLOSE_WAIT, p[1].conn.state());
        p[1].toSend = 200_000;
        p[1].pump();
        assertTrue(l.runUntil(() -> p[0].received == 200_000, 10 * S));
        assertEquals(-1, p[0].mismatchAt);
    }

    @Test
    void simultaneousOpen() {
        SimLink l = new SimLink(6);
        Endpoint x = new Endpoint(1);
        Endpoint y = new Endpoint(0x55 ^ 1);
        x.toSend = 5000;
        y.toSend = 0;
        l.a.connect(SimLink.IP_B, 5000, 6000, x);
        l.b.connect(SimLink.IP_A, 6000, 5000, y);
        assertTrue(l.runUntil(() -> x.connected && y.connected && y.received == 5000, 10 * S));
        assertEquals(TcpState.ESTABLISHED, x.conn.state());
        assertEquals(TcpState.ESTABLISHED, y.conn.state());
    }

    @Test
    void simultaneousClose() {
        SimLink l = new SimLink(7);
        Endpoint[] p = pair(l, 0, 0);
        assertTrue(l.runUntil(() -> p[0].connected && p[1].connected, 5 * S));
        p[0].conn.shutdownOutput();
        p[1].conn.shutdownOutput();
        assertTrue(l.runUntil(() -> p[0].closed && p[1].closed, 5 * S));
        assertEquals(TcpState.TIME_WAIT, p[0].conn.state());
        assertEquals(TcpState.TIME_WAIT, p[1].conn.state());
    }

    @Test
    void connectToClosedPortIsRefused() {
        SimLink l = new SimLink(8);
        Endpoint e = new Endpoint(1);
        l.a.connect(SimLink.IP_B, 81, 40001, e);
        assertTrue(l.runUntil(() -> e.error != null, 5 * S));
        assertEquals(TcpError.REFUSED, e.error);
        assertEquals(1, l.b.stats().get("tcp.rst_sent"));
    }

    @Test
    void abortSendsRstAndPeerSeesReset() {
        SimLink l = new SimLink(9);
        Endpoint[] p = pair(l, 0, 0);
        assertTrue(l.runUntil(() -> p[1].connected, 5 * S));
        p[0].conn.abort();
        assertTrue(l.runUntil(() -> p[1].reset, 5 * S));
        assertEquals(TcpState.CLOSED, p[1].conn.state());
    }

    @Test
    void sequenceNumbersWrapAround() {
        SimLink l = new SimLink(10);
        l.a.tcp.fixedIss = 0xFFFF_0000;
        l.b.tcp.fixedIss = 0xFFFF_8000;
        Endpoint[] p = pair(l, 3_000_000, 3_000_000);
        assertTrue(l.runUntil(() -> p[0].received == 3_000_000 && p[1].received == 3_000_000, 30 * S));
        assertEquals(-1, p[0].mismatchAt);
        assertEquals(-1, p[1].mismatchAt);
    }

    @Test
    void zeroWindowIsProbedAndRecovers() {
        SimLink l = new SimLink(11, null, c -> c.tcpReceiveBuffer(16384));
        Endpoint[] p = pair(l, 200_000, 0);
        p[1].reading = false;
        l.run(10 * S);
        assertEquals(16384, p[1].conn.readableBytes());
        assertTrue(l.a.stats().get("tcp.zero_window_probes") > 0);
        assertEquals(TcpState.ESTABLISHED, p[0].conn.state());
        p[1].reading = true;
        p[1].drain();
        assertTrue(l.runUntil(() -> {
            p[1].drain();
            return p[1].received == 200_000;
        }, 120 * S));
        assertEquals(-1, p[1].mismatchAt);
    }

    @Test
    void nagleHoldsSmallSegmentsUntilAcked() {
        SimLink l = new SimLink(12);
        Endpoint[] p = pair(l, 0, 0);
        assertTrue(l.runUntil(() -> p[1].connected, 5 * S));
        int before = SimLink.tcp(l.sentByA).size();
        for (int i = 0; i < 10; i++) {
            p[0].conn.write(java.nio.ByteBuffer.wrap(new byte[] {Endpoint.pattern(i, 7)}));
        }
        long dataSegs = SimLink.tcp(l.sentByA).subList(before, SimLink.tcp(l.sentByA).size()).stream()
                .filter(k -> k.payload().length > 0).count();
        assertEquals(1, dataSegs, "only the first small write goes out while it is unacknowledged");
        assertTrue(l.runUntil(() -> p[1].received == 10, 5 * S));
        p[0].conn.setNoDelay(true);
        int mark = SimLink.tcp(l.sentByA).size();
        for (int i = 10; i < 15; i++) {
            p[0].conn.write(java.nio.ByteBuffer.wrap(new byte[] {Endpoint.pattern(i, 7)}));
        }
        long now = SimLink.tcp(l.sentByA).subList(mark, SimLink.tcp(l.sentByA).size()).stream()
                .filter(k -> k.payload().length > 0).count();
        assertEquals(5, now, "TCP_NODELAY sends each write at once");
    }

    @Test
    void manyConcurrentConnectionsWithTimers() {
        SimLink l = new SimLink(13);
        l.capture = false;
        l.aToB.loss = 0.01;
        java.util.List<Endpoint> servers = new java.util.ArrayList<>();
        l.b.listen(80, 4096, c -> {
            Endpoint e = new Endpoint(0x55 ^ 9);
            e.closeOnPeerClose = true;
            servers.add(e);
            return e;
        });
        java.util.List<Endpoint> clients = new java.util.ArrayList<>();
        for (int i = 0; i < 800; i++) {
            Endpoint e = new Endpoint(9);
            e.toSend = 3000;
            e.shutdownWhenDone = true;
            clients.add(e);
            l.a.connect(SimLink.IP_B, 80, 20000 + i, e);
        }
        assertTrue(l.runUntil(() -> clients.stream().allMatch(e -> e.closed), 120 * S));
        assertEquals(800, servers.size());
        assertTrue(servers.stream().allMatch(e -> e.received == 3000 && e.mismatchAt < 0));
        assertEquals(800, l.a.stats().snapshot().get("tcp.state.time_wait"));
        l.run(61 * S);
        assertEquals(0, l.a.tcpConnectionCount());
        assertEquals(0, l.b.tcpConnectionCount());
    }
}
