package yastack.kernel.stats;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A counter cell owned by exactly one worker thread. Writes are plain opaque stores
 * (no lock prefix on x86), reads from the admin thread are opaque loads; the per-worker
 * cells of one name are summed on read, so the hot path never contends.
 */
public final class Counter {
    private static final VarHandle VALUE;
    static {
        try {
            VALUE = MethodHandles.lookup().findVarHandle(Counter.class, "value", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // accessed through VALUE
    private long value;

    public void inc() {
        add(1);
    }

    public void dec() {
        add(-1);
    }

    public void add(long delta) {
        VALUE.setOpaque(this, (long) VALUE.getOpaque(this) + delta);
    }

    public long get() {
        return (long) VALUE.getOpaque(this);
    }
}
