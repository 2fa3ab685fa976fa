package yastack.api;

/**
 * The 64-bit hash of consistent hashing: FNV-1a followed by a splitmix64 finaliser, so keys
 * that differ in one byte land far apart. The proxy hashes request keys with it
 * ({@link LoadBalancer.LbContext#hashKey}); balancers hash their endpoints with it.
 */
public final class Hashing {
    private Hashing() {}

    public static long hash64(String s) {
        return hash64((CharSequence) s);
    }

    /** The hash of {@code s}'s UTF-8 bytes, encoded on the fly: hashing a request's key allocates nothing. */
    public static long hash64(CharSequence s) {
        long h = FNV_OFFSET;
        for (int i = 0; i < s.length(); i++) {
            int c = s.charAt(i);
            if (c < 0x80) {
                h = fnv(h, c);
            } else if (c < 0x800) {
                h = fnv(fnv(h, 0xc0 | (c >> 6)), 0x80 | (c & 0x3f));
            } else if (Character.isHighSurrogate((char) c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                int cp = Character.toCodePoint((char) c, s.charAt(++i));
                h = fnv(fnv(fnv(fnv(h, 0xf0 | (cp >> 18)), 0x80 | ((cp >> 12) & 0x3f)), 0x80 | ((cp >> 6) & 0x3f)), 0x80 | (cp & 0x3f));
            } else {
                // A lone surrogate encodes as '?', as String.getBytes(UTF_8) does.
                if (Character.isSurrogate((char) c)) c = '?';
                h = c < 0x80 ? fnv(h, c) : fnv(fnv(fnv(h, 0xe0 | (c >> 12)), 0x80 | ((c >> 6) & 0x3f)), 0x80 | (c & 0x3f));
            }
        }
        return mix(h);
    }

    public static long hash64(byte[] bytes) {
        long h = FNV_OFFSET;
        for (byte b : bytes) h = fnv(h, b & 0xff);
        return mix(h);
    }

    private static final long FNV_OFFSET = 0xcbf29ce484222325L;

    private static long fnv(long h, int octet) {
        return (h ^ octet) * 0x100000001b3L;
    }

    /** splitmix64's finaliser: also a cheap way to derive another well-spread value from a hash. */
    public static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
