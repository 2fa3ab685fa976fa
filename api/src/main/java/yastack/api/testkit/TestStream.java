package yastack.api.testkit;

import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import yastack.api.ClusterCalls;
import yastack.api.HttpStream;
import yastack.api.TraceSpan;
import yastack.api.WorkerContext;

/** A stream with settable addresses, listener and route. */
public final class TestStream implements HttpStream {
    private final TestWorker worker = new TestWorker();
    private final Map<String, Object> attributes = new HashMap<>();
    private InetSocketAddress remote = new InetSocketAddress("192.0.2.10", 50123);
    private InetSocketAddress directRemote;
    private InetSocketAddress local = new InetSocketAddress("127.0.0.1", 8080);
    private String listener = "edge";
    private String route = "";
    private long id = 1;
    private TraceSpan span = TraceSpan.NONE;
    private ClusterCalls calls = ClusterCalls.NONE;

    public TestStream remote(String ip, int port) {
        remote = new InetSocketAddress(ip, port);
        return this;
    }

    /** The TCP peer, when it is not the client (a proxy in front); by default the same as {@link #remote}. */
    public TestStream directRemote(String ip, int port) {
        directRemote = new InetSocketAddress(ip, port);
        return this;
    }

    public TestStream listener(String name) {
        listener = name;
        return this;
    }

    public TestStream route(String name) {
        route = name;
        return this;
    }

    public TestStream id(long id) {
        this.id = id;
        return this;
    }

    /** The stream's span, e.g. a {@link TestSpan} that records attributes. */
    public TestStream span(TraceSpan span) {
        this.span = span;
        return this;
    }

    @Override
    public TraceSpan span() {
        return span;
    }

    /** What {@link #callCluster} answers with: a fake service, e.g. {@code (cluster, request, worker) -> completedFuture(...)}. */
    public TestStream calls(ClusterCalls calls) {
        this.calls = calls;
        return this;
    }

    @Override
    public CompletionStage<ClusterCalls.Response> callCluster(String cluster, ClusterCalls.Request request) {
        return calls.call(cluster, request, worker);
    }

    public TestWorker testWorker() {
        return worker;
    }

    @Override
    public long id() {
        return id;
    }

    @Override
    public String listenerName() {
        return listener;
    }

    @Override
    public InetSocketAddress downstreamRemoteAddress() {
        return remote;
    }

    @Override
    public InetSocketAddress downstreamDirectRemoteAddress() {
        return directRemote != null ? directRemote : remote;
    }

    @Override
    public InetSocketAddress downstreamLocalAddress() {
        return local;
    }

    @Override
    public String routeName() {
        return route;
    }

    @Override
    public long startNanos() {
        return 0;
    }

    @Override
    public WorkerContext worker() {
        return worker;
    }

    @Override
    public Map<String, Object> attributes() {
        return attributes;
    }
}
