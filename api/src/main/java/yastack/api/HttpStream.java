package yastack.api;

import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * What a filter may know about and do with the stream it runs on. Valid until
 * {@link HttpFilter#onComplete} returns; use only on {@link #worker()}'s thread.
 */
public interface HttpStream {
    /** A number unique among the streams of this process (for logs). */
    long id();

    /** The name of the listener that accepted the connection. */
    String listenerName();

    /** {@code https} when the listener terminates TLS, else {@code http}. */
    default String scheme() {
        return "http";
    }

    /**
     * The client's address as the listener trusts it: a PROXY protocol header's, or the
     * address a trusted proxy put in {@code X-Forwarded-For}, else the TCP peer's.
     */
    InetSocketAddress downstreamRemoteAddress();

    /**
     * The TCP peer itself, whatever {@link #downstreamRemoteAddress} believes (Envoy's direct
     * remote address): the load balancer or proxy in front, when there is one.
     */
    default InetSocketAddress downstreamDirectRemoteAddress() {
        return downstreamRemoteAddress();
    }

    /** The listener's local address for this connection. */
    InetSocketAddress downstreamLocalAddress();

    /**
     * The name of the route the request matched, {@code ""} when no named route
     * matched or routing has not happened yet (a router plugin decides after the
     * request-header filters ran).
     */
    String routeName();

    /** {@code System.nanoTime()} when the request head was received. */
    long startNanos();

    /** The worker thread this stream lives on: its executor and timers. */
    WorkerContext worker();

    /**
     * Sends {@code request} to a healthy endpoint of {@code cluster} (an authorization or lookup
     * service): plain HTTP/1.1, completing on any thread with the answer, or exceptionally when
     * the cluster is unknown or the call fails or times out. A filter waits for it without
     * blocking its worker by returning {@code FilterResult.async(stage.thenApply(...))}.
     */
    default CompletionStage<ClusterCalls.Response> callCluster(String cluster, ClusterCalls.Request request) {
        return ClusterCalls.NONE.call(cluster, request, worker());
    }

    /**
     * Per-stream attributes shared by the filters of this stream and the
     * access log (e.g. an auth filter records the user it found). Mutable.
     */
    Map<String, Object> attributes();

    /**
     * The stream's server span when the listener traces ({@code http.tracing}): its ids, and
     * attributes a filter adds to it ({@code span().setAttribute("user.tier", "gold")}).
     * {@link TraceSpan#NONE} when the listener does not trace.
     */
    default TraceSpan span() {
        return TraceSpan.NONE;
    }
}
