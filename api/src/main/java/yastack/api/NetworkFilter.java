package yastack.api;

import java.nio.ByteBuffer;

/**
 * Sees one downstream connection: open, bytes each way, close. All callbacks of
 * one instance run on the connection's worker thread; none may block. The
 * {@code data} buffers are read-only views valid only during the call.
 */
public interface NetworkFilter {
    /** Whether the connection goes on or is closed by the filter. */
    enum Status { CONTINUE, CLOSE }

    /** The connection was accepted (before any byte is read). */
    default Status onOpen(NetworkConnection connection) {
        return Status.CONTINUE;
    }

    /** Bytes received from the client, before they go upstream. */
    default Status onDownstreamData(NetworkConnection connection, ByteBuffer data) {
        return Status.CONTINUE;
    }

    /** Bytes received from the upstream, before they go to the client. */
    default Status onUpstreamData(NetworkConnection connection, ByteBuffer data) {
        return Status.CONTINUE;
    }

    /** The connection closed, for whatever reason; called exactly once. */
    default void onClose(NetworkConnection connection) {}
}
