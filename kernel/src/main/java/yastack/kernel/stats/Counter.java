package yastack.kernel.stats;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A counter cell owned by exactly one worker thread. Writes are plain opaque stores
 * (no lock prefix on x86), reads from the admin thread are opaque loads; the per-worker
 * cells of one name are summed on read, so the hot path never contends.
 *
 * <p>The cell sits alone on its cache line: the cells of one name are kept in one list, so
 * the collector copies them next to each other, and two workers writing neighbouring cells
 * would pass the line back and forth between their cores on every increment. HotSpot lays a
 * superclass's fields out before a subclass's, hence the padding as classes around the value.
 */
public final class Counter extends CounterPadding.After {
    private static final VarHandle VALUE;
    static {
        try {
            VALUE = MethodHandles.lookup().findVarHandle(CounterPadding.Value.class, "value", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

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
