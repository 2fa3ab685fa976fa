package yastack.api;

/**
 * A plugin's stats scope: {@code ctx.stats().counter("denied").inc()} is
 * published as {@code plugin.<name>.denied}. Asking twice for one name returns
 * the same stat; the objects are thread-safe and cheap on the hot path, so look
 * them up once (in {@link PluginFactory#create}) and keep them.
 */
public interface PluginStats {
    /** A monotonically increasing count. */
    Counter counter(String name);

    /** A value that goes up and down (e.g. entries in a cache). */
    Gauge gauge(String name);

    /** A distribution of non-negative values (e.g. latencies in microseconds). */
    Histogram histogram(String name);

    /** A monotonically increasing count. */
    interface Counter {
        void add(long delta);

        default void inc() {
            add(1);
        }

        long value();
    }

    /** A value that goes up and down. */
    interface Gauge {
        void set(long value);

        void add(long delta);

        long value();
    }

    /** A distribution of recorded values. */
    interface Histogram {
        /** Records {@code value}; negative values are clamped to 0. */
        void record(long value);

        long count();
    }
}
