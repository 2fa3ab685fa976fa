package yastack.proxy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import yastack.api.ClusterCalls;
import yastack.api.WorkerContext;
import yastack.proxy.cluster.ClusterRuntime;
import yastack.proxy.cluster.Endpoint;

/**
 * A script's {@code ctx.httpCall(cluster, ...)} or a filter plugin's {@code callCluster}: plain
 * HTTP/1.1 to a healthy endpoint of a host-flavor cluster, through the JDK's client (made at the
 * first call: its selector thread costs nothing to a proxy whose config makes none).
 */
final class HttpClusterCalls implements ClusterCalls {
    private static final int EXECUTOR_THREADS = 2;
    private final Supplier<Map<String, ClusterRuntime>> clusters;
    private volatile HttpClient client;

    HttpClusterCalls(Supplier<Map<String, ClusterRuntime>> clusters) {
        this.clusters = clusters;
    }

    private HttpClient client() {
        HttpClient c = client;
        if (c != null) return c;
        synchronized (this) {
            if (client == null) {
                // The JDK's default executor is an unbounded cached pool: 64 concurrent checks grew it past 90 threads.
                // Its work here is handing answers back to the workers, which two threads keep up with.
                ExecutorService executor = Executors.newFixedThreadPool(EXECUTOR_THREADS, Thread.ofPlatform().daemon().name("cluster-calls-", 0).factory());
                client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(executor).build();
            }
            return client;
        }
    }

    @Override
    public CompletionStage<Response> call(String cluster, Request request, WorkerContext worker) {
        HttpRequest.Builder b;
        try {
            b = request(cluster, request.method(), request.path(), request.timeout(), request.body().isEmpty()
                    ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(request.body()));
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        request.headers().forEach((k, v) -> header(b, k, v));
        return client().sendAsync(b.build(), HttpResponse.BodyHandlers.ofString()).thenApply(r -> {
            Map<String, String> headers = new HashMap<>();
            r.headers().map().forEach((k, v) -> headers.put(k, String.join(",", v)));
            return new Response(r.statusCode(), headers, r.body());
        });
    }

    /** Sends a request whose answer nobody reads (a mirrored one); completes with its status. */
    CompletableFuture<Integer> send(String cluster, String method, String target, List<Map.Entry<String, String>> headers,
                                    byte[] body, Duration timeout) {
        HttpRequest.Builder b;
        try {
            b = request(cluster, method, target, timeout, body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(body));
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        for (Map.Entry<String, String> h : headers) header(b, h.getKey(), h.getValue());
        return client().sendAsync(b.build(), HttpResponse.BodyHandlers.discarding()).thenApply(HttpResponse::statusCode);
    }

    /** To a healthy endpoint of {@code cluster} (any, when none is); throws when the cluster has none or the target is bad. */
    private HttpRequest.Builder request(String cluster, String method, String target, Duration timeout, HttpRequest.BodyPublisher body) {
        ClusterRuntime c = clusters.get().get(cluster);
        if (c == null) throw new IllegalArgumentException("unknown cluster " + cluster);
        if (c.endpoints().isEmpty()) throw new IllegalArgumentException("cluster " + cluster + " has no endpoints");
        long now = System.nanoTime();
        List<Endpoint> healthy = c.endpoints().stream().filter(e -> e.health().healthy(now)).toList();
        List<Endpoint> pool = healthy.isEmpty() ? c.endpoints() : healthy;
        Endpoint ep = pool.get(ThreadLocalRandom.current().nextInt(pool.size()));
        return HttpRequest.newBuilder(URI.create("http://" + ep.host() + ":" + ep.port() + target)).timeout(timeout).method(method, body);
    }

    /**
     * The JDK's client frames the request itself; {@code Host} goes through where the JVM allows it
     * ({@code -Djdk.httpclient.allowRestrictedHeaders=host}, which {@code bin/yastack} sets), else the
     * endpoint's address is the host.
     */
    private static void header(HttpRequest.Builder b, String name, String value) {
        String lower = name.toLowerCase(Locale.ROOT);
        if (RESTRICTED.contains(lower)) return;
        try {
            b.header(name, value);
        } catch (IllegalArgumentException e) {
            // a restricted name this JVM does not let through (Host without the property above)
        }
    }

    private static final Set<String> RESTRICTED = Set.of("connection", "content-length", "expect", "upgrade", "transfer-encoding",
            "keep-alive", "te", "trailer", "proxy-connection");

}
