package yastack.api;

import java.nio.charset.StandardCharsets;

/**
 * The 64-bit hash of consistent hashing: FNV-1a followed by a splitmix64 finaliser, so keys
 * that differ in one byte land far apart. The proxy hashes request keys with it
 * ({@link LoadBalancer.LbContext#hashKey}); balancers hash their endpoints with it.
 */
public final class Hashing {
    private Hashing() {}

    public static long hash64(String s) {
        return hash64(s.getBytes(StandardCharsets.UTF_8));
    }

    public static long hash64(byte[] bytes) {
        long h = 0xcbf29ce484222325L;
        for (byte b : bytes) {
            h ^= (b & 0xff);
            h *= 0x100000001b3L;
        }
        return mix(h);
    }

    /** splitmix64's finaliser: also a cheap way to derive another well-spread value from a hash. */
    public static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
