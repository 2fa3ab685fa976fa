package yastack.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Writes made while the transmit is held leave in one flush (one device burst) when it is released. */
class TransmitHoldTest {
    @Test
    void heldWritesOnManyConnectionsFlushOnce() {
        Probe p = new Probe(null);
        List<Endpoint> accepted = new ArrayList<>();
        p.stack.listen(80, 8, c -> {
            Endpoint e = new Endpoint(1);
            accepted.add(e);
            return e;
        });
        for (int i = 0; i < 3; i++) {
            p.sendTcp(30000 + i, 80, 1000, 0, Pkt.SYN, 65535, null, null);
            Pkt synAck = p.lastTcp();
            p.sendTcp(30000 + i, 80, 1001, synAck.seq() + 1, Pkt.ACK, 65535, null, null);
        }
        assertEquals(3, accepted.size());
        accepted.forEach(e -> e.conn.setNoDelay(true)); // small segments back to back, as a proxy writes them
        p.drain();

        int before = p.flushes;
        for (Endpoint e : accepted) {
            e.conn.write(ByteBuffer.wrap(new byte[100]));
        }
        assertEquals(before + 3, p.flushes, "unheld: every write goes out at once");
        assertEquals(3, p.drain().size());

        before = p.flushes;
        p.stack.holdTransmit();
        p.stack.holdTransmit(); // nests
        for (Endpoint e : accepted) {
            e.conn.write(ByteBuffer.wrap(new byte[100]));
        }
        p.stack.releaseTransmit();
        assertEquals(before, p.flushes, "still held by the outer hold");
        p.stack.releaseTransmit();
        assertEquals(before + 1, p.flushes, "one flush for all three segments");
        assertEquals(3, p.drain().size());
        assertThrows(IllegalStateException.class, p.stack::releaseTransmit);
    }
}
