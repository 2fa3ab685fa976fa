package yastack.server;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import yastack.config.ConfigLoader;
import yastack.proxy.fixtures.ProxyHarness;

/** Starts a real yastack in-process as {@code yastack run} does (admin API included) and talks to it. */
final class ServerHarness implements AutoCloseable {
    final ProxyInstance instance;
    final int port;
    final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    /** {@code yaml} may use {@code ${PORT}} for the listener port. */
    ServerHarness(String yaml, int workers) throws Exception {
        this.port = ProxyHarness.freePort();
        this.instance = ProxyInstance.start(ConfigLoader.parse(yaml.replace("${PORT}", Integer.toString(port)), Path.of(".")),
                workers, 0, false);
    }

    HttpResponse<String> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(20))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> admin(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + instance.adminPort() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() {
        instance.close();
    }
}
