package yastack.proxy;

import io.netty.channel.Channel;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import yastack.api.ClusterCalls;
import yastack.api.HttpStream;
import yastack.api.TraceSpan;
import yastack.api.WorkerContext;

/** What plugins see of one stream: identity, addresses, route name, worker, attributes. */
final class ExchangeStream implements HttpStream {
    private final long id;
    private final String listener;
    private final InetSocketAddress remote;
    private final InetSocketAddress local;
    /** The client's connection (an HTTP/2 stream's parent); its peer is asked for only when a plugin wants it. */
    private final Channel connection;
    private final long startNanos;
    private final WorkerContext worker;
    private final ClusterCalls calls;
    private String routeName = "";
    private Map<String, Object> attributes;
    private TraceSpan span = TraceSpan.NONE;

    ExchangeStream(long id, String listener, InetSocketAddress remote, Channel connection, long startNanos,
                   WorkerContext worker, ClusterCalls calls) {
        this.calls = calls;
        this.id = id;
        this.listener = listener;
        this.remote = remote;
        this.connection = connection;
        this.local = connection.localAddress() instanceof InetSocketAddress l ? l : null;
        this.startNanos = startNanos;
        this.worker = worker;
    }

    /** The request's server span, when its listener traces. */
    void span(TraceSpan span) {
        this.span = span;
    }

    void routeName(String name) {
        this.routeName = name == null ? "" : name;
    }

    @Override public long id() { return id; }
    @Override public String listenerName() { return listener; }
    @Override public InetSocketAddress downstreamRemoteAddress() { return remote; }
    @Override public InetSocketAddress downstreamLocalAddress() { return local; }

    @Override
    public InetSocketAddress downstreamDirectRemoteAddress() {
        return connection.remoteAddress() instanceof InetSocketAddress peer ? peer : remote;
    }
    @Override public String routeName() { return routeName; }
    @Override public long startNanos() { return startNanos; }
    @Override public WorkerContext worker() { return worker; }
    @Override public TraceSpan span() { return span; }

    @Override
    public CompletionStage<ClusterCalls.Response> callCluster(String cluster, ClusterCalls.Request request) {
        return calls.call(cluster, request, worker);
    }

    @Override
    public Map<String, Object> attributes() {
        if (attributes == null) attributes = new HashMap<>();
        return attributes;
    }
}
