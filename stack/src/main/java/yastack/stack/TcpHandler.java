package yastack.stack;

/**
 * Readiness callbacks for one connection, invoked on the shard's thread from inside {@code input}/{@code poll}.
 * Handlers may call read/write/close on the connection from any callback.
 */
public interface TcpHandler {
    /** The three-way handshake completed (active open), or the connection was accepted (passive open). */
    default void onConnected(TcpConnection c) {}

    /** New in-order data can be read. */
    default void onReadable(TcpConnection c) {}

    /** Send-buffer space became free after an earlier short write. */
    default void onWritable(TcpConnection c) {}

    /** The peer sent FIN: reads return -1 once the buffer is drained. */
    default void onPeerClosed(TcpConnection c) {}

    /** The connection finished orderly (both FINs acknowledged, or the local side is done and in TIME_WAIT). */
    default void onClosed(TcpConnection c) {}

    /** The peer reset the connection. */
    default void onReset(TcpConnection c) {}

    /** The connection failed locally: timeout, refused (RST to SYN), or unreachable. */
    default void onError(TcpConnection c, TcpError error) {}
}
