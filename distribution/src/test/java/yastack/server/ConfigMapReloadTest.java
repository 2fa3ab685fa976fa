package yastack.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import yastack.config.ConfigLoader;
import yastack.kernel.fixtures.ConfigMapVolume;
import yastack.proxy.fixtures.ProxyHarness;
import yastack.proxy.fixtures.TestUpstream;

/**
 * Config and scripts mounted from a Kubernetes ConfigMap: the kubelet never writes the files
 * the config names, it swaps the volume's {@code ..data} link. Both the config watcher and
 * the script runtime must see that, and a bad config in a swap must leave the running one.
 */
class ConfigMapReloadTest {
    @TempDir
    Path dir;

    private static String config(int port, int upstream) {
        return """
                listeners:
                  - name: web
                    address: 127.0.0.1
                    port: %d
                    http:
                      filters: [{script: tag.js}]
                      route_config:
                        virtual_hosts: [{name: all, domains: ["*"], routes: [{match: {prefix: "/"}, route: {cluster: c}}]}]
                clusters:
                  - {name: c, endpoints: [{address: 127.0.0.1, port: %d}]}
                """.formatted(port, upstream);
    }

    private static String script(String version) {
        return """
                export function onResponse(res, ctx) {
                  res.headers['x-script-version'] = '%s';
                }
                """.formatted(version);
    }

    @Test
    void aDataSwapReloadsConfigAndScripts() throws Exception {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        int port = ProxyHarness.freePort();
        try (TestUpstream one = new TestUpstream("one"); TestUpstream two = new TestUpstream("two")) {
            ConfigMapVolume volume = new ConfigMapVolume(dir.resolve("config"),
                    Map.of("yastack.yaml", config(port, one.port()), "tag.js", script("v1")));
            try (ProxyInstance proxy = ProxyInstance.start(ConfigLoader.load(volume.file("yastack.yaml")), 1, 0, true)) {
                URI front = URI.create("http://127.0.0.1:" + port + "/x");
                HttpResponse<String> r = get(client, front);
                assertEquals("v1", r.headers().firstValue("x-script-version").orElse(""));
                assertEquals("one", r.headers().firstValue("x-upstream").orElse(""));

                volume.update(Map.of("yastack.yaml", config(port, one.port()), "tag.js", script("v2")));
                r = await(client, front, x -> "v2".equals(x.headers().firstValue("x-script-version").orElse("")));
                assertEquals("one", r.headers().firstValue("x-upstream").orElse(""));

                volume.update(Map.of("yastack.yaml", config(port, two.port()), "tag.js", script("v2")));
                r = await(client, front, x -> "two".equals(x.headers().firstValue("x-upstream").orElse("")));
                assertEquals("v2", r.headers().firstValue("x-script-version").orElse(""));

                // A broken config arrives the same way: logged, and the running config keeps serving.
                volume.update(Map.of("yastack.yaml", config(port, one.port()).replace("endpoints:", "endpoint:"), "tag.js", script("v2")));
                Thread.sleep(1500);
                assertEquals("two", get(client, front).headers().firstValue("x-upstream").orElse(""));

                // Fixed in the next swap: applied.
                volume.update(Map.of("yastack.yaml", config(port, one.port()), "tag.js", script("v3")));
                r = await(client, front, x -> "one".equals(x.headers().firstValue("x-upstream").orElse(""))
                        && "v3".equals(x.headers().firstValue("x-script-version").orElse("")));
                assertTrue(r.statusCode() == 200);
            }
        }
    }

    private static HttpResponse<String> get(HttpClient client, URI uri) throws Exception {
        return client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The first response within 10 s that {@code wanted} accepts. */
    private static HttpResponse<String> await(HttpClient client, URI uri, Predicate<HttpResponse<String>> wanted) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        HttpResponse<String> r;
        do {
            r = get(client, uri);
            if (wanted.test(r)) return r;
            Thread.sleep(50);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("not seen within 10 s; last: " + r.headers().map());
    }
}
