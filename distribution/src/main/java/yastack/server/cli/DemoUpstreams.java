package yastack.server.cli;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import yastack.server.admin.Json;

/**
 * Small HTTP servers for the quickstart that answer with who they are and what they saw.
 * The JDK's own server: a demo needs nothing faster, and the proxy carries no HTTP server
 * library for it.
 */
final class DemoUpstreams implements AutoCloseable {
    private final List<HttpServer> servers = new ArrayList<>();
    private final ExecutorService threads = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "demo-upstream");
        t.setDaemon(true);
        return t;
    });

    void start(String name, int port) throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 128);
        s.createContext("/", ex -> {
            try (ex) {
                Map<String, Object> headers = new LinkedHashMap<>();
                ex.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(), String.join(",", v)));
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("upstream", name);
                body.put("method", ex.getRequestMethod());
                body.put("uri", ex.getRequestURI().toString());
                body.put("headers", headers);
                byte[] out = (Json.pretty(body) + "\n").getBytes(StandardCharsets.UTF_8);
                ex.getRequestBody().readAllBytes();
                ex.getResponseHeaders().set("content-type", "application/json");
                if ("HEAD".equals(ex.getRequestMethod())) {
                    ex.sendResponseHeaders(200, -1);
                } else {
                    ex.sendResponseHeaders(200, out.length);
                    try (OutputStream o = ex.getResponseBody()) {
                        o.write(out);
                    }
                }
            }
        });
        s.setExecutor(threads);
        s.start();
        servers.add(s);
    }

    @Override
    public void close() {
        for (HttpServer s : servers) s.stop(0);
        threads.shutdownNow();
    }
}
