package yastack.proxy;

import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * Version-4 UUIDs (RFC 9562 5.4) from the worker's own generator (no shared SecureRandom on the
 * hot path), as the bytes of their text: a request id is written into a head far more often
 * than it is read as a String, and the bytes go there in one array copy.
 */
final class RequestIds {
    private RequestIds() {}

    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    static AsciiString next(SplittableRandom random) {
        long hi = (random.nextLong() & ~0xF000L) | 0x4000L;
        long lo = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        byte[] text = new byte[36];
        hex(hi >>> 32, text, 0, 8);
        text[8] = '-';
        hex(hi >>> 16, text, 9, 4);
        text[13] = '-';
        hex(hi, text, 14, 4);
        text[18] = '-';
        hex(lo >>> 48, text, 19, 4);
        text[23] = '-';
        hex(lo, text, 24, 12);
        return new AsciiString(text, false);
    }

    /** The low {@code digits} hex digits of {@code bits}, most significant first. */
    private static void hex(long bits, byte[] to, int at, int digits) {
        for (int i = at + digits - 1; i >= at; i--) {
            to[i] = HEX[(int) bits & 0xf];
            bits >>>= 4;
        }
    }
}
