import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Writes the distribution's AOT caches (lib/yastack.aot, and lib/yastack-js.aot for starts with
 * JavaScript on the module path; JEP 483/514/515): starts bin/yastack with YASTACK_AOT=train
 * (then train-js) on a small proxy config, sends it the traffic a proxy serves (requests
 * through a listener to a cluster, admin calls), and stops it; the JVM writes the cache at exit.
 * The classes loaded and linked on that path are then ready at the next start.
 *
 * Run by the distribution build, and by `bin/yastack train-aot` after the directory moved or the
 * JDK changed (the cache is valid for one JDK build and one location only).
 *
 *   java AotTraining.java DIST_DIR
 */
public final class AotTraining {
    private static final Duration READY_WITHIN = Duration.ofSeconds(90);
    private static final int REQUESTS = 300;

    public static void main(String[] args) throws Exception {
        if (args.length != 1) throw new IllegalArgumentException("usage: java AotTraining.java DIST_DIR");
        Path dist = Path.of(args[0]).toAbsolutePath();
        Path work = Files.createTempDirectory("yastack-aot-training");
        int admin = freePort(), listener = freePort();
        // The listener's cluster is the admin server itself, so the training needs no upstream.
        Path config = Files.writeString(work.resolve("training.yaml"), """
                admin: {address: 127.0.0.1, port: %d}
                workers: 1
                listeners:
                  - name: training
                    address: 127.0.0.1
                    port: %d
                    http:
                      route_config:
                        virtual_hosts:
                          - name: default
                            domains: ["*"]
                            routes:
                              - match: {prefix: "/"}
                                route: {cluster: admin, timeout: 5s, retry_policy: {retry_on: "5xx", num_retries: 1}}
                clusters:
                  - name: admin
                    lb_policy: round_robin
                    endpoints: [{address: 127.0.0.1, port: %d}]
                """.formatted(admin, listener, admin));
        // One cache per module path the launcher uses: without JavaScript, and with lib/js
        // (interpreted JavaScript, as a control plane's start has it). The same traffic for both.
        String[][] caches = {{"train", "lib/yastack.aot"}, {"train-js", "lib/yastack-js.aot"}};
        for (String[] c : caches) {
            Path log = work.resolve(c[0] + ".log");
            Path cache = dist.resolve(c[1]);
            try {
                train(dist, config, admin, listener, log, c[0], cache);
            } catch (Exception | Error e) {
                // A half-written cache must not be mapped by the next start.
                Files.deleteIfExists(cache);
                Files.deleteIfExists(dist.resolve(c[1] + ".key"));
                throw e;
            }
            System.out.printf("aot-training: %s (%d MiB) from %d requests%n", cache, Files.size(cache) >> 20, REQUESTS);
        }
    }

    private static void train(Path dist, Path config, int admin, int listener, Path log, String mode, Path cache)
            throws Exception {
        var pb = new ProcessBuilder(dist.resolve("bin/yastack").toString(), "run", "--config=" + config)
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("YASTACK_AOT", mode);
        Process proxy = pb.start();
        try {
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            awaitReady(client, proxy, admin, log);
            for (int i = 0; i < REQUESTS; i++) {
                expect200(client, "http://127.0.0.1:" + listener + "/ready?i=" + i);
            }
            // Not /config_dump: its JSON printer brings ~150 gson classes that every start would
            // then map and load, for an endpoint an operator calls now and then.
            for (String path : new String[] {"/stats", "/stats/prometheus", "/clusters", "/listeners"}) {
                client.send(get("http://127.0.0.1:" + admin + path), HttpResponse.BodyHandlers.discarding());
            }
        } finally {
            proxy.destroy(); // SIGTERM: the JVM exits normally and assembles the cache
            if (!proxy.waitFor(180, TimeUnit.SECONDS)) {
                proxy.destroyForcibly();
                throw new IllegalStateException("yastack did not exit after SIGTERM; log: " + log);
            }
        }
        if (!Files.isRegularFile(cache) || Files.size(cache) == 0) {
            throw new IllegalStateException("no AOT cache written; log: " + log + "\n" + Files.readString(log));
        }
    }

    private static void awaitReady(HttpClient client, Process proxy, int admin, Path log) throws Exception {
        long deadline = System.nanoTime() + READY_WITHIN.toNanos();
        while (System.nanoTime() < deadline) {
            if (!proxy.isAlive()) throw new IllegalStateException("yastack exited: " + Files.readString(log));
            try {
                var r = client.send(get("http://127.0.0.1:" + admin + "/ready"), HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) return;
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("yastack not ready within " + READY_WITHIN + ": " + Files.readString(log));
    }

    private static void expect200(HttpClient client, String url) throws Exception {
        int status = client.send(get(url), HttpResponse.BodyHandlers.discarding()).statusCode();
        if (status != 200) throw new IllegalStateException(url + " answered " + status);
    }

    private static HttpRequest get(String url) {
        return HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build();
    }

    /**
     * A port the proxy binds a moment later. Not from bind(0): that range is the kernel's
     * ephemeral one, and in the meantime it may hand the same port to an outgoing connection
     * (the tests met exactly that); below it nothing is handed out implicitly.
     */
    private static int freePort() throws IOException {
        for (int i = 0; i < 200; i++) {
            int port = ThreadLocalRandom.current().nextInt(10_000, 32_000);
            try (var s = new ServerSocket(port)) {
                return s.getLocalPort();
            } catch (IOException taken) {
                // try another
            }
        }
        throw new IOException("no free port in 10000..32000");
    }
}
