package yastack.stack;

/** Decides what happens to a passively opened connection once its handshake completes. */
@FunctionalInterface
public interface AcceptHandler {
    /** Returns the handler for the new connection, or null to refuse it (it is reset). */
    TcpHandler accept(TcpConnection connection);
}
