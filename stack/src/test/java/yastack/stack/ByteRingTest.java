package yastack.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The send ring's copy-with-checksum, wrapped at every parity, sums what it copied. */
class ByteRingTest {
    @Test
    void copyOutSummedIsTheSumOfTheCopiedBytesWhereverTheRingWraps() {
        SplittableRandom r = new SplittableRandom(7);
        for (int headShift = 0; headShift < 40; headShift++) {
            ByteRing ring = new ByteRing(ByteRing.INITIAL);
            // Move the head so the data wraps at the storage's end, at an odd or even place.
            byte[] filler = new byte[ByteRing.INITIAL - 40 + headShift];
            ring.append(ByteBuffer.wrap(filler));
            ring.discard(filler.length);
            byte[] data = new byte[3000];
            r.nextBytes(data);
            ring.append(ByteBuffer.wrap(data));
            for (int off : new int[] {0, 1, 2, 3, 17, 20, 21}) {
                for (int len : new int[] {1, 2, 3, 19, 20, 21, 40, 41, 1448, 2979 - off}) {
                    MemorySegment frame = MemorySegment.ofArray(new byte[len + 8]);
                    long acc = r.nextInt() & 0xffffffffL;
                    long summed = ring.copyOutSummed(off, frame, 4, len, acc);
                    assertEquals(Wire.fold(Wire.sum(frame, 4, len, acc)), Wire.fold(summed),
                            "head shift " + headShift + ", offset " + off + ", length " + len);
                    for (int i = 0; i < len; i++) assertEquals(data[off + i], frame.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 4 + i));
                }
            }
        }
    }
}
