package yastack.api;

/**
 * An HTTP filter with its configuration applied, made once per filter entry in
 * a listener's config by {@link HttpFilterFactory#create}. It is shared by all
 * workers, so any state it keeps across streams (a rate-limit bucket, a cache)
 * must be thread-safe; per-stream state belongs in the {@link HttpFilter}.
 */
@FunctionalInterface
public interface ConfiguredHttpFilter {
    /** A fresh filter for one stream; called on the stream's worker thread. */
    HttpFilter newStreamFilter(HttpStream stream);

    /** A filter that writes log files reopens them, as {@link AccessLogger#reopenLogs} does. */
    default void reopenLogs() {}

    /**
     * The config that created this object was replaced and nothing uses it any
     * more: release threads, files and timers. Called once, on a control thread.
     */
    default void close() {}
}
