package yastack.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The IPv4 header checksum summed from field values is the one summed from the written header. */
class WireChecksumTest {
    @Test
    void headerChecksumFromValuesMatchesTheWrittenHeader() {
        SplittableRandom r = new SplittableRandom(42);
        MemorySegment h = MemorySegment.ofArray(new byte[20]);
        for (int i = 0; i < 100_000; i++) {
            int tos = i < 4 ? 0 : r.nextInt(256);
            int total = i < 4 ? new int[] {20, 65535, 21, 1500}[i] : 20 + r.nextInt(65516);
            int id = r.nextInt();
            int flags = r.nextBoolean() ? 0x4000 : r.nextInt(0x10000);
            int ttl = r.nextInt(256);
            int proto = r.nextInt(256);
            int src = i == 0 ? -1 : r.nextInt();
            int dst = i == 0 ? -1 : r.nextInt();
            Wire.put32(h, 0, 0x45000000 | tos << 16 | total);
            Wire.put16(h, 4, id);
            Wire.put16(h, 6, flags);
            Wire.put8(h, 8, ttl);
            Wire.put8(h, 9, proto);
            Wire.put16(h, 10, 0);
            Wire.put32(h, 12, src);
            Wire.put32(h, 16, dst);
            int expected = Wire.checksum(h, 0, 20);
            assertEquals(expected, Wire.ipv4HeaderChecksum(tos, total, id, flags, ttl, proto, src, dst), "header " + i);
            Wire.put16(h, 10, expected);
            assertEquals(0, Wire.checksum(h, 0, 20), "a header with its checksum sums to zero");
        }
    }
}
