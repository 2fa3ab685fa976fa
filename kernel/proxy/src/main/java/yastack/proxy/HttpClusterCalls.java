package yastack.proxy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
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
    private final Supplier<Map<String, ClusterRuntime>> clusters;
    private volatile HttpClient client;

    HttpClusterCalls(Supplier<Map<String, ClusterRuntime>> clusters) {
        this.clusters = clusters;
    }

    private HttpClient client() {
        HttpClient c = client;
        if (c != null) return c;
        synchronized (this) {
            if (client == null) client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            return client;
        }
    }

    @Override
    public CompletionStage<Response> call(String cluster, Request request, WorkerContext worker) {
        ClusterRuntime c = clusters.get().get(cluster);
        if (c == null) return CompletableFuture.failedFuture(new IllegalArgumentException("unknown cluster " + cluster));
        long now = System.nanoTime();
        List<Endpoint> healthy = c.endpoints().stream().filter(e -> e.health().healthy(now)).toList();
        List<Endpoint> pool = healthy.isEmpty() ? c.endpoints() : healthy;
        Endpoint ep = pool.get(ThreadLocalRandom.current().nextInt(pool.size()));
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://" + ep.host() + ":" + ep.port() + request.path()))
                .timeout(request.timeout())
                .method(request.method(), request.body().isEmpty() ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(request.body()));
        request.headers().forEach((k, v) -> {
            if (!RESTRICTED.contains(k.toLowerCase(Locale.ROOT))) b.header(k, v);
        });
        return client().sendAsync(b.build(), HttpResponse.BodyHandlers.ofString()).thenApply(r -> {
            Map<String, String> headers = new HashMap<>();
            r.headers().map().forEach((k, v) -> headers.put(k, String.join(",", v)));
            return new Response(r.statusCode(), headers, r.body());
        });
    }

    private static final Set<String> RESTRICTED = Set.of("connection", "content-length", "expect", "host", "upgrade");

}
