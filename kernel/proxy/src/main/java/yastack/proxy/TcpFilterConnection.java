package yastack.proxy;

import io.netty.channel.Channel;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import yastack.api.NetworkConnection;
import yastack.api.WorkerContext;

/** What an L4 filter sees of one proxied TCP connection. */
final class TcpFilterConnection implements NetworkConnection {
    private final long id;
    private final String listener;
    private final Channel downstream;
    private final WorkerContext worker;
    long received;
    long sent;
    private Map<String, Object> attributes;

    TcpFilterConnection(long id, String listener, Channel downstream, WorkerContext worker) {
        this.id = id;
        this.listener = listener;
        this.downstream = downstream;
        this.worker = worker;
    }

    @Override public long id() { return id; }
    @Override public String listenerName() { return listener; }
    @Override public InetSocketAddress remoteAddress() { return ProxyProtocolReader.clientAddress(downstream); }
    @Override public InetSocketAddress localAddress() { return downstream.localAddress() instanceof InetSocketAddress a ? a : null; }
    @Override public long bytesReceived() { return received; }
    @Override public long bytesSent() { return sent; }
    @Override public WorkerContext worker() { return worker; }
    @Override public void close() { downstream.close(); }

    @Override
    public Map<String, Object> attributes() {
        if (attributes == null) attributes = new HashMap<>();
        return attributes;
    }
}
