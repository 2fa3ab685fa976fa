package yastack.scripting;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import yastack.api.WorkerContext;

/**
 * How a filter script's {@code ctx.httpCall(cluster, request)} reaches an
 * upstream cluster. The kernel supplies it (through its cluster pools) when it
 * builds the {@link ScriptHost}; scripts get no other network access. The
 * stage may complete on any thread; the script continues on the stream's
 * worker.
 */
@FunctionalInterface
public interface ScriptHttpClient {
    /**
     * Sends {@code request} to cluster {@code cluster}; called on {@code worker}'s
     * thread. Completes exceptionally when the cluster is unknown, the call
     * times out or fails.
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
