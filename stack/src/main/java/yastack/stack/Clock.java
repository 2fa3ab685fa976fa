package yastack.stack;

/** The stack's only notion of time, so tests can drive it deterministically. */
@FunctionalInterface
public interface Clock {
    /** Monotonic nanoseconds. */
    long nanoTime();

    Clock SYSTEM = System::nanoTime;
}
