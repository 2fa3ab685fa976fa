package yastack.proxy.filter.bench;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import yastack.api.BodyChunk;
import yastack.api.Cancellable;
import yastack.api.FilterResult;
import yastack.api.HttpFilter;
import yastack.api.HttpHeadersView;
import yastack.api.HttpRequestHead;
import yastack.api.HttpResponseHead;
import yastack.api.HttpStream;
import yastack.api.LocalReply;
import yastack.api.WorkerContext;
import yastack.kernel.plugin.PluginErrors;
import yastack.kernel.plugin.PluginStatsRegistry;
import yastack.proxy.filter.FilterChain;
import yastack.proxy.filter.NettyHeadersView;
import yastack.proxy.filter.NettyResponseHead;

/**
 * What each HTTP filter costs on the request path: one stream's request head and response
 * head through a chain of 0 and of 5 trivial filters (each reads a header, as a real
 * filter would), on one thread, bounded in time. Prints ns per stream and per filter.
 *
 * <pre>java -cp kernel/target/classes:kernel/target/test-classes:$(cat cp.txt) yastack.proxy.filter.bench.FilterChainBench [seconds]</pre>
 */
public final class FilterChainBench {
    private FilterChainBench() {}

    public static void main(String[] args) {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 3;
        for (int round = 0; round < 2; round++) { // round 0 warms up
            double empty = nsPerStream(0, seconds);
            double five = nsPerStream(5, seconds);
            if (round == 1) {
                System.out.printf("filters=0: %.0f ns/stream%nfilters=5: %.0f ns/stream%nper filter: %.0f ns%n",
                        empty, five, (five - empty) / 5);
            }
        }
    }

    static double nsPerStream(int filters, double seconds) {
        List<FilterChain.Entry> entries = new ArrayList<>();
        for (int i = 0; i < filters; i++) {
            entries.add(new FilterChain.Entry("f" + i, stream -> new HttpFilter() {
                @Override
                public FilterResult onRequestHeaders(HttpStream s, HttpRequestHead r) {
                    if (r.headers().get("x-never") != null) throw new IllegalStateException();
                    return FilterResult.proceed();
                }
            }));
        }
        PluginErrors errors = new PluginErrors(new PluginStatsRegistry());
        Sink sink = new Sink();
        HttpStream stream = new Stream();
        long n = 0;
        long end = System.nanoTime() + (long) (seconds * 1e9);
        long start = System.nanoTime();
        while (System.nanoTime() < end) {
            for (int k = 0; k < 1000; k++) {
                var req = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/x");
                req.headers().set("host", "example");
                FilterChain chain = new FilterChain(entries, stream, sink, errors);
                chain.onRequestHeaders(new Head(req));
                chain.onResponseHeaders(new NettyResponseHead(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK)));
                n++;
            }
        }
        if (sink.forwarded != 2 * n) throw new AssertionError("chain did not forward every event");
        return (System.nanoTime() - start) / (double) n;
    }

    /** The request head over a Netty request, as the proxy hands it to filters. */
    record Head(HttpRequest req) implements HttpRequestHead {
        @Override public String method() { return req.method().name(); }
        @Override public String uri() { return req.uri(); }
        @Override public void setUri(String uri) { req.setUri(uri); }
        @Override public String protocol() { return req.protocolVersion().text(); }
        @Override public HttpHeadersView headers() { return new NettyHeadersView(req.headers()); }
    }

    static final class Sink implements FilterChain.Sink {
        long forwarded;

        @Override public void forwardRequestHeaders(HttpRequestHead request) { forwarded++; }
        @Override public void forwardRequestBody(BodyChunk chunk, boolean last) {}
        @Override public void forwardResponseHeaders(HttpResponseHead response) { forwarded++; }
        @Override public void forwardResponseBody(BodyChunk chunk, boolean last) {}
        @Override public void sendLocalReply(LocalReply reply) { throw new AssertionError(reply); }
        @Override public void resetStream() {}
        @Override public void discard(BodyChunk chunk) {}
    }

    static final class Stream implements HttpStream, WorkerContext {
        private final Map<String, Object> attributes = new HashMap<>();

        @Override public long id() { return 1; }
        @Override public String listenerName() { return "bench"; }
        @Override public InetSocketAddress downstreamRemoteAddress() { return null; }
        @Override public InetSocketAddress downstreamLocalAddress() { return null; }
        @Override public String routeName() { return ""; }
        @Override public long startNanos() { return 0; }
        @Override public WorkerContext worker() { return this; }
        @Override public Map<String, Object> attributes() { return attributes; }
        @Override public int index() { return 0; }
        @Override public Executor executor() { return Runnable::run; }
        @Override public Cancellable schedule(Duration delay, Runnable task) { return () -> false; }
        @Override public boolean inWorker() { return true; }
    }
}
