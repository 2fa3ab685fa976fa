package yastack.api;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * How a script's call to a cluster ({@code ctx.httpCall(cluster, request)}) or a filter
 * plugin's ({@link HttpStream#callCluster}) reaches it: the host picks a healthy endpoint of
 * the named cluster. Scripts and plugins get no other network access from the host. The stage
 * may complete on any thread; a script continues on the stream's worker, and a filter returns
 * {@link FilterResult#async} to be resumed there.
 */
@FunctionalInterface
public interface ClusterCalls {
    /** Refuses every call: for hosts without clusters. */
    ClusterCalls NONE = (cluster, request, worker) -> CompletableFuture.failedFuture(
            new IllegalStateException("no clusters to call"));

    /**
     * Sends {@code request} to cluster {@code cluster}; called on {@code worker}'s thread.
     * Completes exceptionally when the cluster is unknown, the call times out or fails.
     */
    CompletionStage<Response> call(String cluster, Request request, WorkerContext worker);

    /** A request a script asked for. Header names are as the script wrote them. */
    record Request(String method, String path, Map<String, String> headers, String body, Duration timeout) {
        public Request {
            Objects.requireNonNull(method, "method");
            Objects.requireNonNull(path, "path");
            headers = Map.copyOf(headers);
            Objects.requireNonNull(body, "body");
            Objects.requireNonNull(timeout, "timeout");
        }
    }

    /** What the script sees; header names should be lower case. */
    record Response(int status, Map<String, String> headers, String body) {
        public Response {
            headers = Map.copyOf(headers);
            Objects.requireNonNull(body, "body");
        }
    }
}
