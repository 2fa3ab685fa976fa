package yastack.kernel.dataplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

class FrameRingTest {
    @Test
    void fullRingRefusesAndFramesComeOutInOrder() {
        FrameRing r = new FrameRing(4, 128);
        MemorySegment src = MemorySegment.ofArray(new byte[128]);
        for (int i = 0; i < 4; i++) {
            src.set(ValueLayout.JAVA_INT_UNALIGNED, 0, i);
            assertTrue(r.offer(src, 0, 60 + i));
        }
        assertFalse(r.offer(src, 0, 60));
        assertNull(r.claim());
        assertFalse(r.offer(src, 0, 129), "longer than a slot");
        assertEquals(4, r.available());
        for (int i = 0; i < 4; i++) {
            assertEquals(i, r.slot(i).get(ValueLayout.JAVA_INT_UNALIGNED, 0));
            assertEquals(60 + i, r.length(i));
        }
        r.release(4);
        assertEquals(0, r.available());
        assertTrue(r.offer(src, 0, 60));
    }

    @Test
    void twoThreadsPassTwoMillionFramesWithoutLossOrReordering() throws Exception {
        FrameRing r = new FrameRing(256, 64);
        int total = 2_000_000;
        Thread producer = Thread.ofPlatform().start(() -> {
            MemorySegment src = MemorySegment.ofArray(new byte[64]);
            for (int i = 0; i < total; ) {
                src.set(ValueLayout.JAVA_INT_UNALIGNED, 0, i);
                if (r.offer(src, 0, 4 + (i & 31))) i++; else Thread.onSpinWait();
            }
        });
        long deadline = System.nanoTime() + 30_000_000_000L;
        int next = 0;
        while (next < total && System.nanoTime() < deadline) {
            int n = r.available();
            for (int i = 0; i < n; i++, next++) {
                assertEquals(next, r.slot(i).get(ValueLayout.JAVA_INT_UNALIGNED, 0));
                assertEquals(4 + (next & 31), r.length(i));
            }
            r.release(n);
        }
        producer.join(5000);
        assertEquals(total, next);
    }
}
