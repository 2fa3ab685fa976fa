package yastack.api;

import java.net.InetSocketAddress;
import java.util.Map;

/** One downstream connection as an L4 filter sees it. */
public interface NetworkConnection {
    long id();

    String listenerName();

    InetSocketAddress remoteAddress();

    InetSocketAddress localAddress();

    /** Bytes received from the client so far. */
    long bytesReceived();

    /** Bytes sent to the client so far. */
    long bytesSent();

    /** The worker thread that owns this connection. */
    WorkerContext worker();

    /** Closes the connection (both sides); safe to call from the worker thread only. */
    void close();

    /** Per-connection attributes shared by the filters of this connection. */
    Map<String, Object> attributes();
}
