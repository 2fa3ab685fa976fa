package yastack.kernel.proxy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP/1.1 upstream (the JDK's server) whose behaviour is chosen by path:
 * {@code /status/N}, {@code /delay/MS}, {@code /bytes/N} (streamed), {@code /upload}
 * (answers the byte count and sha256 of the body), {@code /reset} (closes without a
 * response); anything else echoes the request line and headers in the body.
 */
public final class TestUpstream implements AutoCloseable {
    final String name;
    final HttpServer server;
    final AtomicInteger requests = new AtomicInteger();
    private final ExecutorService executor = Executors.newCachedThreadPool();

    public TestUpstream(String name) throws IOException {
        this(name, "127.0.0.1");
    }

    /** An upstream listening on {@code bindAddress} (e.g. 0.0.0.0 to be reachable over a TAP). */
    public TestUpstream(String name, String bindAddress) throws IOException {
        this.name = name;
        server = HttpServer.create(new InetSocketAddress(bindAddress, 0), 512);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange ex) throws IOException {
        requests.incrementAndGet();
        String path = ex.getRequestURI().getPath();
        ex.getResponseHeaders().add("x-upstream", name);
        try {
            if (path.startsWith("/reset")) {
                ex.getRequestBody().readAllBytes();
                ex.getHttpContext().getServer(); // no response: close the connection under the proxy
                ex.getResponseBody().close();
                ex.close();
                throw new IOException("reset on purpose");
            }
            if (path.startsWith("/status/")) {
                ex.getRequestBody().readAllBytes();
                int code = Integer.parseInt(path.substring("/status/".length()));
                send(ex, code, name + " status " + code + "\n");
                return;
            }
            if (path.startsWith("/delay/")) {
                ex.getRequestBody().readAllBytes();
                Thread.sleep(Long.parseLong(path.substring("/delay/".length())));
                send(ex, 200, name + " delayed\n");
                return;
            }
            if (path.startsWith("/bytes/")) {
                ex.getRequestBody().readAllBytes();
                long n = Long.parseLong(path.substring("/bytes/".length()));
                ex.sendResponseHeaders(200, n);
                byte[] chunk = new byte[64 * 1024];
                for (int i = 0; i < chunk.length; i++) chunk[i] = (byte) (i * 31 + 7);
                try (OutputStream out = ex.getResponseBody()) {
                    long left = n;
                    while (left > 0) {
                        int k = (int) Math.min(left, chunk.length);
                        out.write(chunk, 0, k);
                        left -= k;
                    }
                }
                return;
            }
            if (path.startsWith("/upload")) {
                MessageDigest sha = MessageDigest.getInstance("SHA-256");
                long total = 0;
                byte[] buf = new byte[64 * 1024];
                try (InputStream in = ex.getRequestBody()) {
                    int r;
                    while ((r = in.read(buf)) > 0) {
                        sha.update(buf, 0, r);
                        total += r;
                    }
                }
                send(ex, 200, total + " " + HexFormat.of().formatHex(sha.digest()));
                return;
            }
            byte[] body = ex.getRequestBody().readAllBytes();
            StringBuilder sb = new StringBuilder();
            sb.append("upstream=").append(name).append('\n');
            sb.append("method=").append(ex.getRequestMethod()).append('\n');
            sb.append("uri=").append(ex.getRequestURI()).append('\n');
            for (Map.Entry<String, List<String>> h : ex.getRequestHeaders().entrySet()) {
                for (String v : h.getValue()) sb.append("h:").append(h.getKey().toLowerCase()).append('=').append(v).append('\n');
            }
            sb.append("body=").append(new String(body, StandardCharsets.UTF_8)).append('\n');
            send(ex, 200, sb.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        } finally {
            ex.close();
        }
    }

    private static void send(HttpExchange ex, int code, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(code, code == 204 || code == 304 ? -1 : b.length);
        if (code != 204 && code != 304) ex.getResponseBody().write(b);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
