package yastack.proxy;

import java.util.SplittableRandom;

/** Version-4 UUIDs from the worker's own generator (no shared SecureRandom on the hot path). */
final class RequestIds {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private RequestIds() {}

    static String next(SplittableRandom random) {
        long hi = (random.nextLong() & ~0xF000L) | 0x4000L;
        long lo = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        char[] out = new char[36];
        int p = 0;
        for (int i = 15; i >= 0; i--) {
            out[p++] = HEX[(int) (hi >>> (i * 4)) & 0xF];
            if (i == 8 || i == 4) out[p++] = '-';
        }
        out[p++] = '-';
        for (int i = 15; i >= 0; i--) {
            out[p++] = HEX[(int) (lo >>> (i * 4)) & 0xF];
            if (i == 12) out[p++] = '-';
        }
        return new String(out);
    }
}
