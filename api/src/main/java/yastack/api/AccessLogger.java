package yastack.api;

/**
 * Writes one record per finished HTTP stream: what a listener's {@code access_log} entries
 * are. Unlike a filter it cannot change the stream; it only sees how it ended. Called on the
 * stream's worker thread once the stream is over, so it must not block: hand the record to a
 * thread of its own (and drop, counted, when that falls behind).
 */
@FunctionalInterface
public interface AccessLogger {
    void log(HttpStream stream, StreamSummary summary);

    /**
     * The config that created this object was replaced and nothing uses it any
     * more: flush and release files and threads. Called once, on a control thread.
     */
    default void close() {}
}
