package yastack.api;

import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * A live, mutable view of HTTP headers. Names are case-insensitive. The kernel
 * backs it directly with its codec's header storage, so reads and writes cost
 * no copy; a view stays valid until the stream ends and may be used only on the
 * stream's worker thread.
 */
public interface HttpHeadersView {
    /** The first value of {@code name}, or {@code null} if absent. */
    String get(CharSequence name);

    /** Every value of {@code name} in order; empty if absent. */
    List<String> getAll(CharSequence name);

    /** Whether at least one value of {@code name} is present. */
    default boolean contains(CharSequence name) {
        return get(name) != null;
    }

    /** Replaces every value of {@code name} with {@code value}. */
    HttpHeadersView set(CharSequence name, CharSequence value);

    /** Appends one more value of {@code name}. */
    HttpHeadersView add(CharSequence name, CharSequence value);

    /** Removes every value of {@code name}; returns whether any was present. */
    boolean remove(CharSequence name);

    /** The distinct header names present, in the case the peer sent them. */
    Set<String> names();

    /** Number of header lines (a name with two values counts twice). */
    int size();

    /** Calls {@code action} for every header line in order. */
    void forEach(BiConsumer<String, String> action);
}
