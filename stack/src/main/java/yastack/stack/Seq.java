package yastack.stack;

/** Wrap-safe TCP sequence arithmetic (RFC 9293 section 3.4): comparisons via the signed 32-bit difference. */
final class Seq {
    private Seq() {}

    static boolean lt(int a, int b) {
        return a - b < 0;
    }

    static boolean le(int a, int b) {
        return a - b <= 0;
    }

    static boolean gt(int a, int b) {
        return a - b > 0;
    }

    static boolean ge(int a, int b) {
        return a - b >= 0;
    }

    static int max(int a, int b) {
        return gt(a, b) ? a : b;
    }

    static int min(int a, int b) {
        return lt(a, b) ? a : b;
    }

    /** a <= x < b in sequence space. */
    static boolean inRange(int x, int a, int b) {
        return x - a >= 0 && x - b < 0;
    }
}
