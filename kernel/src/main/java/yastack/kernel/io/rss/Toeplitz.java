package yastack.kernel.io.rss;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The Toeplitz hash NICs use for receive-side scaling, computed with one table lookup per
 * input byte: the contribution of every byte value at every input position is precomputed
 * from the key, so hashing a 12-byte IPv4 5-tuple is 12 lookups and XORs.
 *
 * <p>Input order is the one hardware uses for IPv4: source address, destination address,
 * source port, destination port, all in network byte order. With {@link #symmetricKey(int)}
 * the hash of a flow equals the hash of its reverse flow, so both directions of a connection
 * land on the same queue.
 */
public final class Toeplitz {

    /** Longest input the tables cover: an IPv6 5-tuple (16 + 16 + 2 + 2 bytes). */
    public static final int MAX_INPUT = 36;

    private final byte[] key;
    private final int[][] table;

    public Toeplitz(byte[] key) {
        if (key.length < 8) {
            throw new IllegalArgumentException("Toeplitz key of " + key.length + " bytes is too short");
        }
        this.key = key.clone();
        int inputs = Math.min(MAX_INPUT, key.length - 4);
        table = new int[inputs][256];
        for (int pos = 0; pos < inputs; pos++) {
            for (int bit = 0; bit < 8; bit++) {
                int w = window(pos * 8 + bit);
                int mask = 0x80 >>> bit;
                for (int v = 0; v < 256; v++) {
                    if ((v & mask) != 0) {
                        table[pos][v] ^= w;
                    }
                }
            }
        }
    }

    /** The 40-byte key of the Microsoft RSS verification suite (not symmetric). */
    public static byte[] microsoftKey() {
        return new byte[] {
            0x6d, 0x5a, 0x56, (byte) 0xda, 0x25, 0x5b, 0x0e, (byte) 0xc2,
            0x41, 0x67, 0x25, 0x3d, 0x43, (byte) 0xa3, (byte) 0x8f, (byte) 0xb0,
            (byte) 0xd0, (byte) 0xca, 0x2b, (byte) 0xcb, (byte) 0xae, 0x7b, 0x30, (byte) 0xb4,
            0x77, (byte) 0xcb, 0x2d, (byte) 0xa3, (byte) 0x80, 0x30, (byte) 0xf2, 0x0c,
            0x6a, 0x42, (byte) 0xb7, 0x3b, (byte) 0xbe, (byte) 0xac, 0x01, (byte) 0xfa};
    }

    /**
     * 0x6d5a repeated to {@code length} bytes. A key with a 16-bit period makes the hash
     * invariant under swapping source and destination (addresses are 32 bits, ports 16).
     */
    public static byte[] symmetricKey(int length) {
        if (length % 2 != 0) {
            throw new IllegalArgumentException("symmetric key length must be even: " + length);
        }
        byte[] k = new byte[length];
        for (int i = 0; i < length; i += 2) {
            k[i] = 0x6d;
            k[i + 1] = 0x5a;
        }
        return k;
    }

    /** A hasher with the standard 40-byte symmetric key. */
    public static Toeplitz symmetric() {
        return new Toeplitz(symmetricKey(40));
    }

    public byte[] key() {
        return key.clone();
    }

    /** Longest input this key can hash. */
    public int maxInput() {
        return table.length;
    }

    /** The 32 key bits starting at bit {@code start} (bit 0 = MSB of key byte 0). */
    private int window(int start) {
        int w = 0;
        for (int k = 0; k < 32; k++) {
            int b = start + k;
            int bit = (key[b >>> 3] >>> (7 - (b & 7))) & 1;
            w |= bit << (31 - k);
        }
        return w;
    }

    public int hash(byte[] input, int offset, int length) {
        checkLength(length);
        int h = 0;
        for (int i = 0; i < length; i++) {
            h ^= table[i][input[offset + i] & 0xff];
        }
        return h;
    }

    public int hash(MemorySegment seg, long offset, int length) {
        checkLength(length);
        int h = 0;
        for (int i = 0; i < length; i++) {
            h ^= table[i][seg.get(ValueLayout.JAVA_BYTE, offset + i) & 0xff];
        }
        return h;
    }

    /** Hash of an IPv4 address pair (RSS "IPv4" type); addresses as ints, network order. */
    public int hashIpv4(int srcAddr, int dstAddr) {
        return word(0, srcAddr) ^ word(4, dstAddr);
    }

    /** Hash of an IPv4 TCP/UDP 4-tuple (RSS "IPv4 TCP"/"IPv4 UDP" types). */
    public int hashIpv4(int srcAddr, int dstAddr, int srcPort, int dstPort) {
        return word(0, srcAddr) ^ word(4, dstAddr) ^ port(8, srcPort) ^ port(10, dstPort);
    }

    /** Contribution of a 32-bit big-endian word at input position {@code pos}. */
    int word(int pos, int v) {
        return table[pos][v >>> 24] ^ table[pos + 1][(v >>> 16) & 0xff]
                ^ table[pos + 2][(v >>> 8) & 0xff] ^ table[pos + 3][v & 0xff];
    }

    /** Contribution of a 16-bit big-endian port at input position {@code pos}. */
    int port(int pos, int p) {
        return table[pos][(p >>> 8) & 0xff] ^ table[pos + 1][p & 0xff];
    }

    private void checkLength(int length) {
        if (length < 0 || length > table.length) {
            throw new IllegalArgumentException("input of " + length + " bytes; this key hashes up to " + table.length);
        }
    }
}
