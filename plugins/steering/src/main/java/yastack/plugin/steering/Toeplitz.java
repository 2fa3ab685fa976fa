package yastack.plugin.steering;

import java.util.HexFormat;
import yastack.api.FlowKey;

/**
 * The Toeplitz hash NICs use for RSS, over source address, destination
 * address, source port, destination port (12 bytes, as in the Microsoft RSS
 * specification). One 256-entry table per input byte makes a hash 12 lookups
 * and no allocation.
 */
final class Toeplitz {
    /**
     * 0x6d5a repeated: with this key the hash of a flow equals the hash of its
     * reverse, so both directions of a connection land on the same worker.
     */
    static final byte[] SYMMETRIC_KEY = symmetricKey();

    private static final int INPUT_BYTES = 12;

    private final int[][] table = new int[INPUT_BYTES][256];

    Toeplitz(byte[] key) {
        if (key.length < INPUT_BYTES + 4) throw new IllegalArgumentException("a Toeplitz key needs at least 16 bytes, got " + key.length);
        for (int pos = 0; pos < INPUT_BYTES; pos++) {
            for (int value = 0; value < 256; value++) {
                int h = 0;
                for (int bit = 0; bit < 8; bit++) {
                    if ((value & (0x80 >>> bit)) != 0) h ^= window(key, pos * 8 + bit);
                }
                table[pos][value] = h;
            }
        }
    }

    static Toeplitz parse(String hex) {
        return new Toeplitz(HexFormat.of().parseHex(hex.replace(":", "").replace(" ", "")));
    }

    /** Key bits {@code j .. j+31} as an int. */
    private static int window(byte[] key, int j) {
        long v = 0;
        for (int m = 0; m < 5; m++) {
            int idx = j / 8 + m;
            v = (v << 8) | (idx < key.length ? key[idx] & 0xff : 0);
        }
        return (int) (v >>> (8 - j % 8));
    }

    int hash(FlowKey f) {
        return hash(f.sourceAddress(), f.destinationAddress(), f.sourcePort(), f.destinationPort());
    }

    int hash(int srcAddr, int dstAddr, int srcPort, int dstPort) {
        int[][] t = table;
        return t[0][srcAddr >>> 24] ^ t[1][(srcAddr >>> 16) & 0xff] ^ t[2][(srcAddr >>> 8) & 0xff] ^ t[3][srcAddr & 0xff]
                ^ t[4][dstAddr >>> 24] ^ t[5][(dstAddr >>> 16) & 0xff] ^ t[6][(dstAddr >>> 8) & 0xff] ^ t[7][dstAddr & 0xff]
                ^ t[8][(srcPort >>> 8) & 0xff] ^ t[9][srcPort & 0xff] ^ t[10][(dstPort >>> 8) & 0xff] ^ t[11][dstPort & 0xff];
    }

    /** The hash over the addresses only (the first 8 bytes of the input). */
    int hashAddresses(int srcAddr, int dstAddr) {
        int[][] t = table;
        return t[0][srcAddr >>> 24] ^ t[1][(srcAddr >>> 16) & 0xff] ^ t[2][(srcAddr >>> 8) & 0xff] ^ t[3][srcAddr & 0xff]
                ^ t[4][dstAddr >>> 24] ^ t[5][(dstAddr >>> 16) & 0xff] ^ t[6][(dstAddr >>> 8) & 0xff] ^ t[7][dstAddr & 0xff];
    }

    private static byte[] symmetricKey() {
        byte[] k = new byte[40];
        for (int i = 0; i < k.length; i += 2) {
            k[i] = 0x6d;
            k[i + 1] = 0x5a;
        }
        return k;
    }
}
