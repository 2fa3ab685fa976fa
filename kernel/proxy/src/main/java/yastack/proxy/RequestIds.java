package yastack.proxy;

import java.util.SplittableRandom;
import java.util.UUID;

/** Version-4 UUIDs from the worker's own generator (no shared SecureRandom on the hot path). */
final class RequestIds {
    private RequestIds() {}

    static String next(SplittableRandom random) {
        long hi = (random.nextLong() & ~0xF000L) | 0x4000L;
        long lo = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        // UUID's own formatting writes the text straight into the string's bytes.
        return new UUID(hi, lo).toString();
    }
}
