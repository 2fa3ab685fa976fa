package yastack.kernel.proxy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import yastack.kernel.config.ConfigLoader;
import yastack.kernel.runtime.ProxyInstance;

/** Starts a real yastack in-process from YAML and gives tests real clients for it. */
public final class ProxyHarness implements AutoCloseable {
    final ProxyInstance instance;
    final int port;
    final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    /** {@code yaml} may use {@code ${PORT}} for the listener port. */
    ProxyHarness(String yaml, int workers) throws Exception {
        this.port = freePort();
        this.instance = ProxyInstance.start(ConfigLoader.parse(yaml.replace("${PORT}", Integer.toString(port)), Path.of(".")),
                workers, 0, false);
    }

    /**
     * One listener {@code web} on ${PORT} routing everything to cluster {@code up} on
     * 127.0.0.1:{@code upstreamPort}; {@code httpExtra} is a line of extra {@code http:} settings (or "").
     */
    static String singleRoute(String httpExtra, int upstreamPort) {
        return """
                listeners:
                  - name: web
                    address: 127.0.0.1
                    port: ${PORT}
                    http:
                      %s
                      route_config:
                        virtual_hosts: [{name: all, domains: ["*"], routes: [{match: {prefix: "/"}, route: {cluster: up}}]}]
                clusters:
                  - {name: up, endpoints: [{address: 127.0.0.1, port: %d}]}
                """.formatted(httpExtra, upstreamPort);
    }

    /**
     * One listener {@code web} on ${PORT} with one virtual host for every domain holding
     * {@code routes} (YAML list items written from column 0); {@code httpExtra} is a line of
     * extra {@code http:} settings (or ""). Clusters follow from column 0.
     */
    static String listenerWithRoutes(String httpExtra, String routes) {
        StringBuilder sb = new StringBuilder("""
                listeners:
                  - name: web
                    address: 127.0.0.1
                    port: ${PORT}
                    http:
                """);
        if (!httpExtra.isEmpty()) sb.append("      ").append(httpExtra).append('\n');
        sb.append("""
                      route_config:
                        virtual_hosts:
                          - name: all
                            domains: ["*"]
                            routes:
                """);
        routes.strip().lines().forEach(l -> sb.append("              ").append(l).append('\n'));
        return sb.toString();
    }

    /**
     * One TLS listener {@code web} on ${PORT} (ALPN h2 and http/1.1, {@code cert}/{@code key})
     * routing everything to cluster {@code up}, whose YAML flow mapping body is {@code cluster}.
     */
    static String tlsSingleRoute(Path cert, Path key, String cluster) {
        return """
                listeners:
                  - name: web
                    address: 127.0.0.1
                    port: ${PORT}
                    tls: {certificates: [{cert: %s, key: %s}], alpn: [h2, http/1.1]}
                    http:
                      route_config:
                        virtual_hosts: [{name: all, domains: ["*"], routes: [{match: {prefix: "/"}, route: {cluster: up}}]}]
                clusters:
                  - {name: up, %s}
                """.formatted(cert, key, cluster);
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }

    HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(20));
        for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        return client.send(b.GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> admin(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + instance.adminPort() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    long stat(String name) {
        return instance.proxy().stats().value(name);
    }

    /** Waits (up to 2 s) for a stat to reach {@code min}: workers count after the client has its answer. */
    long awaitStat(String name, long min) throws InterruptedException {
        long deadline = System.nanoTime() + 2_000_000_000L;
        long v;
        while ((v = stat(name)) < min && System.nanoTime() < deadline) Thread.sleep(5);
        return v;
    }

    /** Sends raw bytes and returns everything the proxy answers until it closes or {@code timeoutMs} passes. */
    String raw(String request, int timeoutMs) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(timeoutMs);
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            StringBuilder sb = new StringBuilder();
            byte[] buf = new byte[8192];
            try {
                int r;
                while ((r = in.read(buf)) > 0) sb.append(new String(buf, 0, r, StandardCharsets.ISO_8859_1));
            } catch (java.net.SocketTimeoutException e) {
                sb.append("<timeout>");
            } catch (java.net.SocketException e) {
                sb.append("<reset>");
            }
            return sb.toString();
        }
    }

    /** Reads one response with a Content-Length body from a raw connection: its head and body as text. */
    static String readResponse(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) throw new AssertionError("closed after " + head);
            head.append((char) b);
        }
        int length = 0;
        for (String line : head.toString().split("\r\n")) {
            if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) length = Integer.parseInt(line.substring(15).trim());
        }
        return head + new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        instance.close();
    }
}
