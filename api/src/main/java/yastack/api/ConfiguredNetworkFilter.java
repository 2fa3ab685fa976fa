package yastack.api;

/** A network filter with its config applied; shared by all workers (thread-safe). */
@FunctionalInterface
public interface ConfiguredNetworkFilter {
    /** A fresh filter for one accepted connection, called on its worker thread. */
    NetworkFilter newConnectionFilter(NetworkConnection connection);

    /**
     * The config that created this object was replaced and nothing uses it any
     * more: release threads, files and timers. Called once, on a control thread.
     */
    default void close() {}
}
