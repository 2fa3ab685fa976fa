package yastack.stack;

/** A passive open on one local port. Half-open connections beyond the backlog are answered with SYN cookies. */
public final class TcpListener {
    final TcpLayer layer;
    final int port;
    final int backlog;
    final AcceptHandler acceptHandler;
    int halfOpen;
    boolean closed;

    TcpListener(TcpLayer layer, int port, int backlog, AcceptHandler acceptHandler) {
        this.layer = layer;
        this.port = port;
        this.backlog = Math.max(1, backlog);
        this.acceptHandler = acceptHandler;
    }

    public int port() {
        return port;
    }

    public int backlog() {
        return backlog;
    }

    /** Connections in SYN_RECEIVED waiting for the final ACK. */
    public int halfOpen() {
        return halfOpen;
    }

    /** Stops accepting; half-open connections still complete or time out. */
    public void close() {
        if (!closed) {
            closed = true;
            layer.removeListener(this);
        }
    }
}
