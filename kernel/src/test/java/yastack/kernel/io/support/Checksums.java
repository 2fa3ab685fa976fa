package yastack.kernel.io.support;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

public final class Checksums {
    private Checksums() {
    }

    /** RFC 1071 one's complement checksum of {@code len} bytes. */
    public static int internet(MemorySegment s, long off, int len) {
        long sum = 0;
        int i = 0;
        for (; i + 1 < len; i += 2) {
            sum += ((s.get(ValueLayout.JAVA_BYTE, off + i) & 0xff) << 8) | (s.get(ValueLayout.JAVA_BYTE, off + i + 1) & 0xff);
        }
        if (i < len) {
            sum += (s.get(ValueLayout.JAVA_BYTE, off + i) & 0xff) << 8;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return (int) (~sum & 0xffff);
    }
}
