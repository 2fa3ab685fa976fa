package yastack.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The overload manager in the built proxy, squeezed for real: a small -Xmx (or direct-memory
 * cap) and many slow requests holding memory. Above the first watermark new connections are
 * closed at once and responses close their connection; above the second, new requests get
 * 503 with x-yastack-overloaded; once the slow requests go, everything recovers. The actions
 * are counted in /stats and shown at /overload.
 */
class OverloadIT {
    static final HttpClient ADMIN = HttpClient.newHttpClient();

    /** A running proxy, its ports and log. */
    record Proxy(Process process, int port, int admin, Path log) implements AutoCloseable {
        long stat(String name) throws Exception {
            String body = ADMIN.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin + "/stats?filter=" + name))
                    .build(), HttpResponse.BodyHandlers.ofString()).body();
            for (String line : body.split("\n")) {
                if (line.startsWith(name + ": ")) return Long.parseLong(line.substring(name.length() + 2).trim());
            }
            return 0;
        }

        String overload() throws Exception {
            return ADMIN.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin + "/overload")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        }

        @Override
        public void close() throws Exception {
            Dist.stop(process);
        }
    }

    static Proxy start(String javaOpts, String overload, int upstreamPort) throws Exception {
        int port = Dist.freePort(), admin = Dist.freePort();
        Path dir = Files.createTempDirectory("yastack-overload");
        Path cfg = dir.resolve("yastack.yaml");
        Files.writeString(cfg, """
                admin: {address: 127.0.0.1, port: %d}
                overload_manager: %s
                listeners:
                  - name: web
                    address: 127.0.0.1
                    port: %d
                    http:
                      max_request_headers_kb: 4096
                      # The heavy requests carry 1,024 fields; they must be admitted and then held
                      # waiting for the silent upstream (a 431 would free them at once).
                      max_headers_count: 2000
                      route_config:
                        virtual_hosts:
                          - name: all
                            domains: ["*"]
                            routes:
                              - match: {path: "/ok"}
                                direct_response: {status: 200, body: "ok"}
                              - match: {prefix: "/"}
                                route: {cluster: slow, timeout: 0s}
                clusters:
                  - {name: slow, endpoints: [{address: 127.0.0.1, port: %d}]}
                """.formatted(admin, overload, port, upstreamPort));
        Path log = dir.resolve("yastack.log");
        Process p = Dist.startRun(cfg, log, List.of("YASTACK_JAVA_OPTS=" + javaOpts), "--workers", "2");
        Dist.awaitReady(admin, p, log);
        return new Proxy(p, port, admin, log);
    }

    static Socket open(Proxy p) throws IOException {
        Socket s = new Socket("127.0.0.1", p.port());
        s.setSoTimeout(5000);
        return s;
    }

    static void send(Socket s, String text) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write(text.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    /** A request for /ok on {@code s}: its response head and body. */
    static String ok(Socket s) throws IOException {
        send(s, "GET /ok HTTP/1.1\r\nHost: x\r\n\r\n");
        return readResponse(s.getInputStream()).toLowerCase(Locale.ROOT);
    }

    static String readResponse(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) throw new IOException("closed after " + head);
            head.append((char) b);
        }
        int length = 0;
        for (String line : head.toString().split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) length = Integer.parseInt(line.substring(15).trim());
        }
        return head + new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }

    /** Whether a new connection is served, or closed at once. */
    static boolean newConnectionServed(Proxy p) {
        try (Socket s = open(p)) {
            return ok(s).startsWith("http/1.1 200");
        } catch (IOException closed) {
            return false;
        }
    }

    /** Polls (every 50 ms, up to {@code millis}) until the gauge {@code name} is {@code value}. */
    static boolean await(Proxy p, String name, long value, long millis) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() < deadline) {
            if (p.stat(name) == value) return true;
            Thread.sleep(50);
        }
        return false;
    }

    /** An upstream that accepts requests and never answers: what it is sent stays held in the proxy. */
    static ServerSocket blackhole() throws IOException {
        ServerSocket server = new ServerSocket(0, 512, InetAddress.getLoopbackAddress());
        Thread.ofPlatform().daemon().start(() -> {
            List<Socket> held = new ArrayList<>();
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    held.add(s);
                    Thread.ofPlatform().daemon().start(() -> {
                        try (InputStream in = s.getInputStream()) {
                            in.transferTo(OutputStream.nullOutputStream());
                        } catch (IOException ignored) {
                            // the proxy closed it
                        }
                    });
                } catch (IOException e) {
                    return;
                }
            }
        });
        return server;
    }

    /** A request head of about {@code kib} KiB of header fields, all kept by the proxy while the upstream is silent. */
    static String heavyRequest(int kib) {
        StringBuilder sb = new StringBuilder("GET /slow HTTP/1.1\r\nHost: x\r\n");
        String value = "v".repeat(1000);
        for (int i = 0; i < kib; i++) sb.append("x-pad-").append(i).append(": ").append(value).append("\r\n");
        return sb.append("\r\n").toString();
    }

    @Test
    void heapWatermarksRefuseThenShedThenRecover() throws Exception {
        try (ServerSocket upstream = blackhole();
             Proxy p = start("-Xmx96m -Xmn8m", "{refresh_interval: 50ms, heap: {stop_accepting_connections: 0.45, stop_accepting_requests: 0.7}}",
                     upstream.getLocalPort())) {
            List<Socket> loaders = new ArrayList<>();
            Socket keepAlive = open(p), shed = open(p);
            assertFalse(ok(keepAlive).contains("connection: close"), "keep-alive while memory is fine");
            for (int i = 0; i < 90; i++) loaders.add(open(p));
            // A small young generation (-Xmn8m): collections come every few requests, so the heap
            // figure after GC follows the load closely instead of in steps of a large eden.
            String heavy = heavyRequest(1024);
            int sent = 0;
            // 1 MiB of headers per request held while the upstream stays silent, until the first watermark.
            while (p.stat("overload.stop_accepting_connections.active") == 0 && sent < loaders.size()) {
                send(loaders.get(sent++), heavy);
                Thread.sleep(60);
            }
            assertTrue(await(p, "overload.stop_accepting_connections.active", 1, 3000), "first watermark not reached: " + p.overload());
            assertFalse(newConnectionServed(p), "new connections are closed at once");
            assertTrue(p.stat("listener.web.downstream_cx_overload_reject") >= 1);
            assertTrue(ok(keepAlive).contains("connection: close"), "keep-alive is off");
            assertTrue(p.stat("http.web.downstream_cx_overload_disable_keepalive") >= 1);
            while (p.stat("overload.stop_accepting_requests.active") == 0 && sent < loaders.size()) {
                send(loaders.get(sent++), heavy);
                Thread.sleep(60);
            }
            assertTrue(await(p, "overload.stop_accepting_requests.active", 1, 3000), "second watermark not reached: " + p.overload());
            String refused = ok(shed);
            assertTrue(refused.startsWith("http/1.1 503") && refused.contains("x-yastack-overloaded: true"), refused);
            assertTrue(p.stat("http.web.downstream_rq_overload_close") >= 1);
            assertTrue(p.overload().contains("\"level\" : \"stop_accepting_requests\""), p.overload());
            // The clients abort (RST): the proxy stopped reading them when the silent upstream
            // stopped taking their requests, so a plain FIN behind unread bytes would only be seen
            // at the stream idle timeout (see the README's overload section).
            for (Socket s : loaders) {
                s.setSoLinger(true, 0);
                s.close();
            }
            // Freed memory shows after a collection, which the overload manager asks for when none comes.
            assertTrue(await(p, "overload.stop_accepting_connections.active", 0, 15_000), "no recovery: " + p.overload());
            assertTrue(newConnectionServed(p));
            try (Socket s = open(p)) {
                assertFalse(ok(s).contains("connection: close"), "keep-alive is back");
            }
            assertTrue(p.stat("overload.stop_accepting_connections.activations") >= 1);
            assertTrue(p.stat("overload.stop_accepting_requests.activations") >= 1);
            assertTrue(p.process().isAlive());
            keepAlive.close();
            shed.close();
        }
    }

    @Test
    void directMemoryWatermarksRefuseThenShedThenRecover() throws Exception {
        try (ServerSocket upstream = blackhole();
             Proxy p = start("-Xmx96m -XX:MaxDirectMemorySize=32m", "{refresh_interval: 50ms, heap: {stop_accepting_connections: 0.99, "
                     + "stop_accepting_requests: 1.0}, direct_memory: {stop_accepting_connections: 0.3, stop_accepting_requests: 0.55}}",
                     upstream.getLocalPort())) {
            List<Socket> loaders = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                Socket s = open(p);
                send(s, "GET /slow HTTP/1.1\r\nHost: x\r\n");
                loaders.add(s);
            }
            Socket shed = open(p);
            // Request heads that never end: their bytes wait in the decoder's (direct) buffers.
            String lines = ("x-pad: " + "a".repeat(8000) + "\r\n").repeat(4);
            for (int round = 0; round < 40 && p.stat("overload.stop_accepting_requests.active") == 0; round++) {
                for (Socket s : loaders) send(s, lines);
                Thread.sleep(100);
                if (p.stat("overload.stop_accepting_connections.active") == 1 && p.stat("listener.web.downstream_cx_overload_reject") == 0) {
                    assertFalse(newConnectionServed(p), "new connections are closed at once");
                }
            }
            assertTrue(await(p, "overload.stop_accepting_requests.active", 1, 3000), p.overload());
            assertTrue(p.stat("listener.web.downstream_cx_overload_reject") >= 1);
            String refused = ok(shed);
            assertTrue(refused.startsWith("http/1.1 503") && refused.contains("x-yastack-overloaded: true"), refused);
            for (Socket s : loaders) s.close();
            assertTrue(await(p, "overload.stop_accepting_connections.active", 0, 10_000), "no recovery: " + p.overload());
            assertTrue(newConnectionServed(p));
            shed.close();
        }
    }
}
