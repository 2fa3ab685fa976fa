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
     * Log rotation asked for it ({@code SIGUSR1}, {@code POST /reopen_logs}): close the files
     * written to and open them again by name, so lines go to the new file logrotate expects.
     * Called on a control thread while workers may be logging.
     */
    default void reopenLogs() {}

    /**
     * The config that created this object was replaced and nothing uses it any
     * more: flush and release files and threads. Called once, on a control thread.
     */
    default void close() {}
}
