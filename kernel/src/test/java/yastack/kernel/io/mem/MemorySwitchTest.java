package yastack.kernel.io.mem;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static yastack.kernel.fixtures.Frames.ip;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import yastack.kernel.fixtures.BurstLoop;
import yastack.kernel.fixtures.Frames;
import yastack.kernel.io.MacAddress;
import yastack.kernel.io.PacketPort;
import yastack.kernel.io.PortStats;
import yastack.kernel.io.RxBatch;
import yastack.kernel.io.TxBatch;
import yastack.kernel.io.rss.RedirectionTable;
import yastack.kernel.io.rss.Toeplitz;

class MemorySwitchTest {
    private final MacAddress macA = MacAddress.parse("02:00:00:00:00:0a");
    private final MacAddress macB = MacAddress.parse("02:00:00:00:00:0b");
    private final MacAddress macC = MacAddress.parse("02:00:00:00:00:0c");

    private static int send(TxBatch tx, MacAddress dst, MacAddress src, int sport, int seq) {
        long off = tx.acquire();
        assertTrue(off >= 0, "no transmit buffer");
        int len = Frames.udp(tx.buffer(), off, dst, src, ip(10, 0, 0, 1), ip(10, 0, 0, 2), sport, 9, seq, 60);
        tx.commit(len);
        return len;
    }

    private static List<Integer> drain(PacketPort port, int queue, RxBatch rx) {
        List<Integer> seqs = new ArrayList<>();
        while (port.receiveBurst(queue, rx) > 0) {
            for (int i = 0; i < rx.count(); i++) {
                assertEquals(14 + 20 + 8 + 60, rx.length(i));
                seqs.add(Frames.udpSeq(rx.buffer(), rx.offset(i)));
            }
            rx.release();
        }
        return seqs;
    }

    @Test
    void deliversInOrderAndCounts() {
        MemorySwitch sw = new MemorySwitch();
        try (MemoryPort a = sw.attach("a", macA, 1); MemoryPort b = sw.attach("b", macB, 1);
             MemoryPort c = sw.attach("c", macC, 1); TxBatch tx = a.newTxBatch(0)) {
            long bytes = 0;
            for (int seq = 0; seq < 100; seq++) {
                bytes += send(tx, macB, macA, 1000, seq); // acquire flushes every 32 frames
            }
            assertEquals(100 % PacketPort.MAX_BURST, tx.pending());
            tx.flush();
            List<Integer> got = drain(b, 0, b.newRxBatch());
            assertEquals(100, got.size());
            for (int i = 0; i < 100; i++) {
                assertEquals(i, got.get(i));
            }
            assertEquals(List.of(), drain(c, 0, c.newRxBatch()), "unicast reached a bystander");
            PortStats sa = a.stats(), sb = b.stats();
            assertEquals(100, sa.txPackets());
            assertEquals(bytes, sa.txBytes());
            assertEquals(100, sb.rxPackets());
            assertEquals(bytes, sb.rxBytes());
            assertEquals(0, sb.drops());
            // broadcast floods to everyone but the sender
            send(tx, MacAddress.BROADCAST, macA, 1000, 7);
            tx.flush();
            assertEquals(List.of(7), drain(b, 0, b.newRxBatch()));
            assertEquals(List.of(7), drain(c, 0, c.newRxBatch()));
            assertEquals(List.of(), drain(a, 0, a.newRxBatch()));
        }
    }

    @Test
    void ringFullDropsAreCountedAndBurstsAreBounded() {
        MemorySwitch sw = new MemorySwitch();
        try (MemoryPort a = sw.attach("a", macA, 1, 1500, 64); MemoryPort b = sw.attach("b", macB, 1, 1500, 40);
             TxBatch tx = a.newTxBatch(0)) {
            for (int seq = 0; seq < 50; seq++) {
                send(tx, macB, macA, 1000, seq);
            }
            tx.flush();
            RxBatch rx = b.newRxBatch();
            assertEquals(PacketPort.MAX_BURST, b.receiveBurst(0, rx));
            // a frame held by an unreleased batch keeps its slot: another batch may not take the queue
            assertThrows(IllegalStateException.class, () -> b.receiveBurst(0, b.newRxBatch()));
            MemorySegment first = rx.frame(0);
            assertEquals(0, Frames.udpSeq(first, 0));
            assertEquals(8, b.receiveBurst(0, rx)); // releases the previous burst first
            assertEquals(32, Frames.udpSeq(rx.buffer(), rx.offset(0)));
            rx.release();
            assertEquals(10, b.stats().rxRingFull());
            assertEquals(40, b.stats().rxPackets());
            assertEquals(50, a.stats().txPackets());
        }
    }

    @Test
    void softwareRssSpreadsFlowsOverQueuesKeepingEachFlowInOrder() {
        MemorySwitch sw = new MemorySwitch();
        try (MemoryPort a = sw.attach("a", macA, 1); MemoryPort b = sw.attach("b", macB, 4);
             TxBatch tx = a.newTxBatch(0)) {
            RedirectionTable reta = RedirectionTable.roundRobin(4);
            Toeplitz t = Toeplitz.symmetric();
            int[] expected = new int[4];
            for (int seq = 0; seq < 200; seq++) {
                int sport = 2000 + seq % 20;
                send(tx, macB, macA, sport, seq);
                expected[reta.queueOf(t.hashIpv4(ip(10, 0, 0, 1), ip(10, 0, 0, 2), sport, 9))]++;
            }
            tx.flush();
            RxBatch rx = b.newRxBatch();
            int total = 0;
            for (int q = 0; q < 4; q++) {
                int last = -1;
                int n = 0;
                while (b.receiveBurst(q, rx) > 0) {
                    for (int i = 0; i < rx.count(); i++) {
                        int seq = Frames.udpSeq(rx.buffer(), rx.offset(i));
                        assertTrue(seq > last, "reordered on queue " + q);
                        last = seq;
                        int sport = Frames.udpSrcPort(rx.buffer(), rx.offset(i));
                        assertEquals(q, reta.queueOf(t.hashIpv4(ip(10, 0, 0, 1), ip(10, 0, 0, 2), sport, 9)));
                        n++;
                    }
                }
                assertEquals(expected[q], n, "queue " + q);
                assertEquals(n, b.queueStats(q).rxPackets());
                assertTrue(n > 0, "queue " + q + " got nothing from 20 flows");
                total += n;
            }
            assertEquals(200, total);
        }
    }

    @Test
    void reacquireAbortAndFlushKeepTheAcquiredBuffer() {
        MemorySwitch sw = new MemorySwitch();
        try (MemoryPort a = sw.attach("a", macA, 1); MemoryPort b = sw.attach("b", macB, 1)) {
            TxBatch tx = a.newTxBatch(0);
            long off = tx.acquire();
            assertEquals(off, tx.acquire(), "re-acquire without commit reuses the buffer");
            tx.abort();
            assertThrows(IllegalStateException.class, () -> tx.commit(60));
            send(tx, macB, macA, 1, 1);
            long held = tx.acquire();
            assertTrue(held >= 0);
            assertEquals(1, tx.flush()); // the acquired, uncommitted buffer survives the flush
            int len = Frames.udp(tx.buffer(), held, macB, macA, 1, 2, 3, 9, 2, 60);
            tx.commit(len);
            tx.close();
            assertEquals(List.of(1, 2), drain(b, 0, b.newRxBatch()));
            assertThrows(IllegalStateException.class, tx::acquire);
        }
    }

    @Test
    void burstsAllocateNothingOnTheHeap() {
        MemorySwitch sw = new MemorySwitch();
        try (MemoryPort a = sw.attach("a", macA, 1); MemoryPort b = sw.attach("b", macB, 2); TxBatch tx = a.newTxBatch(0)) {
            double perPacket = BurstLoop.bytesPerPacket(tx, macB, macA, b, 0, 20_000, 2_000);
            assertTrue(perPacket < 1.0, perPacket + " heap bytes per packet");
        }
    }
}
