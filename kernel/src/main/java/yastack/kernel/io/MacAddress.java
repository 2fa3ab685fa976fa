package yastack.kernel.io;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/** A 48-bit Ethernet address held in the low bits of a long, most significant byte first. */
public record MacAddress(long bits) {

    public static final MacAddress BROADCAST = new MacAddress(0xffff_ffff_ffffL);

    public MacAddress {
        if ((bits & ~0xffff_ffff_ffffL) != 0) {
            throw new IllegalArgumentException("not a 48-bit address: " + Long.toHexString(bits));
        }
    }

    public static MacAddress of(byte[] b) {
        if (b.length != 6) {
            throw new IllegalArgumentException("MAC address needs 6 bytes, got " + b.length);
        }
        long v = 0;
        for (byte x : b) {
            v = (v << 8) | (x & 0xff);
        }
        return new MacAddress(v);
    }

    /** Parses {@code aa:bb:cc:dd:ee:ff} (or with dashes). */
    public static MacAddress parse(String s) {
        String hex = s.replace(":", "").replace("-", "");
        if (hex.length() != 12) {
            throw new IllegalArgumentException("not a MAC address: " + s);
        }
        return of(HexFormat.of().parseHex(hex));
    }

    public static MacAddress read(MemorySegment seg, long offset) {
        return new MacAddress(readBits(seg, offset));
    }

    /** The 6 bytes at {@code offset} as the low 48 bits of a long, without allocating. */
    public static long readBits(MemorySegment seg, long offset) {
        long v = 0;
        for (int i = 0; i < 6; i++) {
            v = (v << 8) | (seg.get(ValueLayout.JAVA_BYTE, offset + i) & 0xff);
        }
        return v;
    }

    /** A random unicast, locally administered address (02:xx:...), for endpoints with no NIC. */
    public static MacAddress randomLocal() {
        long v = ThreadLocalRandom.current().nextLong() & 0xffff_ffff_ffffL;
        v = (v & ~(0x03L << 40)) | (0x02L << 40);
        return new MacAddress(v);
    }

    public boolean isMulticast() {
        return ((bits >>> 40) & 1) != 0;
    }

    public void write(MemorySegment seg, long offset) {
        for (int i = 0; i < 6; i++) {
            seg.set(ValueLayout.JAVA_BYTE, offset + i, (byte) (bits >>> (40 - 8 * i)));
        }
    }

    public byte[] toBytes() {
        byte[] b = new byte[6];
        for (int i = 0; i < 6; i++) {
            b[i] = (byte) (bits >>> (40 - 8 * i));
        }
        return b;
    }

    @Override
    public String toString() {
        return HexFormat.ofDelimiter(":").formatHex(toBytes());
    }
}
