import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes the distribution's AOT caches (lib/yastack.aot, and lib/yastack-js.aot for starts with
 * JavaScript on the module path; JEP 483/514/515): starts bin/yastack with YASTACK_AOT=train
 * (then train-js) on a small proxy config, sends it the traffic a proxy serves, and stops it;
 * the JVM writes the cache at exit. The classes loaded and linked on that path are then ready at
 * the next start, and the method profiles recorded (JEP 515) are the JIT's first ones.
 *
 * <p>The traffic is what a loaded proxy sees ({@link TrainingLoad}, to {@link TrainingUpstream}),
 * then admin calls: profiles from a few hundred requests in a row on one connection made the JIT
 * recompile the request path under real load, on the core the requests wait for.
 *
 * Run by the distribution build, and by `bin/yastack train-aot` after the directory moved or the
 * JDK changed (the cache is valid for one JDK build and one location only).
 *
 *   java AotTraining.java DIST_DIR
 */
public final class AotTraining {
    private static final Duration READY_WITHIN = Duration.ofSeconds(90);

    public static void main(String[] args) throws Exception {
        if (args.length != 1) throw new IllegalArgumentException("usage: java AotTraining.java DIST_DIR");
        Path dist = Path.of(args[0]).toAbsolutePath();
        Path work = Files.createTempDirectory("yastack-aot-training");
        int admin = freePort(), listener = freePort();
        try (TrainingUpstream upstream = TrainingUpstream.start()) {
            trainEach(dist, work, admin, listener, upstream.port());
        }
    }

    private static void trainEach(Path dist, Path work, int admin, int listener, int upstreamPort) throws Exception {
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
                                route: {cluster: upstream, timeout: 5s, retry_policy: {retry_on: "5xx", num_retries: 1}}
                clusters:
                  - name: upstream
                    lb_policy: round_robin
                    endpoints: [{address: 127.0.0.1, port: %d}]
                """.formatted(admin, listener, upstreamPort));
        // One cache per module path the launcher uses: without JavaScript, and with lib/js
        // (interpreted JavaScript, as a control plane's start has it). The same traffic for both.
        String[][] caches = {{"train", "lib/yastack.aot"}, {"train-js", "lib/yastack-js.aot"}};
        for (String[] c : caches) {
            Path log = work.resolve(c[0] + ".log");
            Path cache = dist.resolve(c[1]);
            long requests;
            try {
                requests = train(dist, config, admin, listener, log, c[0], cache);
            } catch (Exception | Error e) {
                // A half-written cache must not be mapped by the next start.
                Files.deleteIfExists(cache);
                Files.deleteIfExists(dist.resolve(c[1] + ".key"));
                throw e;
            }
            System.out.printf("aot-training: %s (%d MiB) from %d requests%n", cache, Files.size(cache) >> 20, requests);
        }
    }

    /** Trains one cache; returns how many proxied requests were answered. */
    private static long train(Path dist, Path config, int admin, int listener, Path log, String mode, Path cache)
            throws Exception {
        var pb = new ProcessBuilder(dist.resolve("bin/yastack").toString(), "run", "--config=" + config)
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("YASTACK_AOT", mode);
        Process proxy = pb.start();
        long requests;
        try {
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            awaitReady(client, proxy, admin, log);
            requests = TrainingLoad.run(listener);
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
        return requests;
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

    /**
     * The load: {@link #CONNECTIONS} keep-alive clients at once, a quarter of them first
     * closing after each request, one of them staying on its connection for {@link #LONG}
     * requests; then a pause and a shorter second round, so that the worker is seen going idle
     * (its loop waiting with a timeout) and loaded again. The long connection is for Netty's
     * io_uring channels, which number their ring operations with a 16-bit counter that passes
     * its reserved zero after 32,768 operations: a profile that never saw it made the JIT
     * deoptimise and recompile the whole completion path 30-60 s into a load, on every start.
     */
    static final class TrainingLoad {
        static final int CONNECTIONS = 16, KEEP_ALIVE_EACH = 1_500, CLOSING = 2_000, LONG = 40_000, SECOND_ROUND = 300;
        private static final AtomicLong answered = new AtomicLong();

        /** Returns how many requests were answered (for the build's log). */
        static long run(int port) throws Exception {
            answered.set(0);
            round(port, KEEP_ALIVE_EACH, LONG, CLOSING, false);
            Thread.sleep(1_500);
            round(port, SECOND_ROUND, SECOND_ROUND, 0, true);
            return answered.get();
        }

        /** With {@code reset}, each keep-alive client ends by resetting its connection, as a stopped load generator's do. */
        private static void round(int port, int keepAliveEach, int longOne, int closing, boolean reset) throws Exception {
            Thread[] clients = new Thread[CONNECTIONS];
            Exception[] failure = new Exception[1];
            for (int c = 0; c < CONNECTIONS; c++) {
                int id = c;
                clients[c] = Thread.ofPlatform().start(() -> {
                    try {
                        if (id % 4 == 0) {
                            for (int i = 0; i < closing / (CONNECTIONS / 4); i++) exchange(port, 1, true, false);
                        }
                        exchange(port, id == 1 ? longOne : keepAliveEach, false, reset);
                    } catch (Exception e) {
                        synchronized (failure) { failure[0] = e; }
                    }
                });
            }
            for (Thread t : clients) t.join();
            if (failure[0] != null) throw failure[0];
        }

        /** {@code requests} GETs on one connection, as a load generator sends them; each answer read whole. */
        private static void exchange(int port, int requests, boolean close, boolean reset) throws IOException {
            try (Socket s = new Socket("127.0.0.1", port)) {
                s.setTcpNoDelay(true);
                if (reset) s.setSoLinger(true, 0);
                var out = s.getOutputStream();
                var in = new BufferedInputStream(s.getInputStream());
                byte[] request = ("GET /100b HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n"
                        + (close ? "Connection: close\r\n" : "") + "\r\n").getBytes(StandardCharsets.US_ASCII);
                for (int i = 0; i < requests; i++) {
                    out.write(request);
                    out.flush();
                    String head = TrainingUpstream.readHead(in);
                    if (head == null || !head.startsWith("HTTP/1.1 200")) throw new IOException("training request answered " + head);
                    in.readNBytes(TrainingUpstream.contentLength(head));
                    answered.incrementAndGet();
                }
            }
        }
    }

    /**
     * The cluster's endpoint: answers every request with 100 bytes and the head fields nginx
     * sends for a static file, on keep-alive connections (a thread each).
     */
    static final class TrainingUpstream implements AutoCloseable {
        private final ServerSocket server;

        private TrainingUpstream(ServerSocket server) {
            this.server = server;
        }

        static TrainingUpstream start() throws IOException {
            var upstream = new TrainingUpstream(new ServerSocket(freePort(), 256, InetAddress.getLoopbackAddress()));
            Thread.ofPlatform().daemon().start(upstream::accept);
            return upstream;
        }

        int port() {
            return server.getLocalPort();
        }

        private void accept() {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    Thread.ofPlatform().daemon().start(() -> serve(s));
                } catch (IOException closed) {
                    return;
                }
            }
        }

        private static void serve(Socket s) {
            byte[] body = "x".repeat(100).getBytes(StandardCharsets.US_ASCII);
            try (s) {
                s.setTcpNoDelay(true);
                var in = new BufferedInputStream(s.getInputStream());
                var out = s.getOutputStream();
                for (String head; (head = readHead(in)) != null; ) {
                    boolean close = head.toLowerCase(Locale.ROOT).contains("\r\nconnection: close");
                    String response = "HTTP/1.1 200 OK\r\nServer: training\r\nDate: "
                            + DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC))
                            + "\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n"
                            + "Last-Modified: Mon, 07 Dec 2026 00:00:00 GMT\r\nConnection: " + (close ? "close" : "keep-alive")
                            + "\r\nETag: \"6957a1c0-64\"\r\nAccept-Ranges: bytes\r\n\r\n";
                    out.write(response.getBytes(StandardCharsets.US_ASCII));
                    out.write(body);
                    out.flush();
                    if (close) return;
                }
            } catch (IOException gone) {
                // the proxy closed its connection
            }
        }

        /** A head up to its empty line, or null at the end of the stream. */
        static String readHead(InputStream in) throws IOException {
            var head = new StringBuilder();
            for (int c; (c = in.read()) >= 0; ) {
                head.append((char) c);
                if (c == '\n' && head.length() >= 4 && head.lastIndexOf("\r\n\r\n") == head.length() - 4) return head.toString();
            }
            return null;
        }

        static int contentLength(String head) {
            for (String line : head.split("\r\n")) {
                if (line.regionMatches(true, 0, "content-length:", 0, 15)) return Integer.parseInt(line.substring(15).trim());
            }
            throw new IllegalStateException("no content-length in " + head);
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
