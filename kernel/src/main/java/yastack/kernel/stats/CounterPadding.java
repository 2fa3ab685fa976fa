package yastack.kernel.stats;

/** The cache-line padding around a {@link Counter}'s value (64 bytes on each side). */
@SuppressWarnings("unused") // the padding is never read
final class CounterPadding {
    private CounterPadding() {}

    abstract static class Before {
        long p0, p1, p2, p3, p4, p5, p6, p7;
    }

    abstract static class Value extends Before {
        long value; // accessed through Counter's VarHandle
    }

    abstract static class After extends Value {
        long q0, q1, q2, q3, q4, q5, q6, q7;
    }
}
