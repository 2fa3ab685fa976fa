package yastack.server;

import com.google.protobuf.Struct;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import yastack.api.ConfiguredHttpFilter;
import yastack.api.PluginConfig;
import yastack.api.PluginConfigException;
import yastack.api.Router;
import yastack.api.SteeringPolicy;
import yastack.api.WorkerContext;
import yastack.kernel.stats.StatsStore;
import yastack.proxy.ScriptPolicies;
import yastack.proxy.cluster.ClusterRuntime;
import yastack.proxy.cluster.Endpoint;
import yastack.scripting.ScriptHost;
import yastack.scripting.ScriptHttpClient;
import yastack.scripting.ScriptLoadException;

/**
 * JavaScript policies for the proxy: one {@link ScriptHost} per process (shared engine,
 * hot reload, sandbox), paths relative to the config file, {@code script.<name>.*}
 * counters in the stats store, and {@code ctx.httpCall(cluster, ...)} served by an HTTP
 * client that picks a healthy endpoint of the named cluster.
 */
final class ScriptSupport implements ScriptPolicies, AutoCloseable {
    private final Path baseDir;
    private final ScriptHost host;

    ScriptSupport(Path baseDir, Supplier<Map<String, ClusterRuntime>> clusters) {
        this.baseDir = baseDir;
        // The time limit is a guard against runaway scripts, not a latency target: a first call
        // in the interpreter on a loaded machine can take tens of milliseconds.
        this.host = ScriptHost.builder().baseDirectory(baseDir).timeLimit(Duration.ofSeconds(1))
                .httpClient(new ClusterHttpClient(clusters)).build();
    }

    /** Publishes the scripts' {@code script.<name>.*} counters in {@code stats}. */
    void publishStats(StatsStore stats) {
        stats.registerSource(host::counters);
    }

    private Path resolve(String script) {
        Path p = Path.of(script);
        return p.isAbsolute() ? p : baseDir.resolve(p);
    }

    @Override
    public ConfiguredHttpFilter filter(String script, Struct config, String fieldPath) throws PluginConfigException {
        try {
            return host.httpFilter(resolve(script), PluginConfig.of(config, fieldPath + ".config"));
        } catch (ScriptLoadException e) {
            throw new PluginConfigException(fieldPath + ".script: " + e.getMessage(), e);
        }
    }

    @Override
    public Router router(String script, Struct config, String fieldPath) throws PluginConfigException {
        try {
            return host.router(resolve(script));
        } catch (ScriptLoadException e) {
            throw new PluginConfigException(fieldPath + ".script: " + e.getMessage(), e);
        }
    }

    @Override
    public SteeringPolicy steering(String script) {
        return host.steering(resolve(script));
    }

    @Override
    public void close() {
        host.close();
    }

    /** ctx.httpCall: plain HTTP/1.1 to a healthy endpoint of a host-flavor cluster. */
    private static final class ClusterHttpClient implements ScriptHttpClient {
        private final Supplier<Map<String, ClusterRuntime>> clusters;
        private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

        ClusterHttpClient(Supplier<Map<String, ClusterRuntime>> clusters) {
            this.clusters = clusters;
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
            return client.sendAsync(b.build(), HttpResponse.BodyHandlers.ofString()).thenApply(r -> {
                Map<String, String> headers = new HashMap<>();
                r.headers().map().forEach((k, v) -> headers.put(k, String.join(",", v)));
                return new Response(r.statusCode(), headers, r.body());
            });
        }

        private static final Set<String> RESTRICTED = Set.of("connection", "content-length", "expect", "host", "upgrade");
    }
}
