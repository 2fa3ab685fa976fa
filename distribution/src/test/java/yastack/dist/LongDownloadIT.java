package yastack.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A 10 GiB download through the built proxy on a route with a 5 s idle timeout and no total
 * timeout: the idle clock never fires while bytes move, however long the transfer takes.
 * A generator upstream writes the bytes without keeping them and curl discards them, so the
 * test costs what the proxy costs (a few seconds on 2 cores), bounded by curl's --max-time.
 */
class LongDownloadIT {
    static final long SIZE = 10L << 30;

    @Test
    void tenGibThroughAFiveSecondIdleTimeout() throws Exception {
        try (ServerSocketChannel upstream = ServerSocketChannel.open()) {
            upstream.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            Thread generator = Thread.ofPlatform().daemon().name("generator").start(() -> serve(upstream));
            int port = Dist.freePort(), admin = Dist.freePort();
            Path dir = Files.createTempDirectory("yastack-long");
            Path cfg = dir.resolve("yastack.yaml");
            Files.writeString(cfg, """
                    admin: {address: 127.0.0.1, port: %d}
                    listeners:
                      - name: web
                        address: 127.0.0.1
                        port: %d
                        http:
                          route_config:
                            virtual_hosts:
                              - name: all
                                domains: ["*"]
                                routes:
                                  - match: {prefix: "/"}
                                    route: {cluster: gen, timeout: 0s, idle_timeout: 5s}
                    clusters:
                      - {name: gen, endpoints: [{address: 127.0.0.1, port: %d}]}
                    """.formatted(admin, port, upstream.socket().getLocalPort()));
            Path log = dir.resolve("yastack.log");
            Process proxy = Dist.startRun(cfg, log, List.of("YASTACK_JAVA_OPTS=-Xmx128m"), "--workers", "2");
            try {
                Dist.awaitReady(admin, proxy, log);
                long t0 = System.nanoTime();
                Process curl = new ProcessBuilder("curl", "-s", "-o", "/dev/null", "--max-time", "180",
                        "-w", "%{http_code} %{size_download}", "http://127.0.0.1:" + port + "/ten-gib").redirectErrorStream(true).start();
                String out = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
                assertTrue(curl.waitFor(200, TimeUnit.SECONDS));
                long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0);
                assertEquals("200 " + SIZE, out, "curl exit " + curl.exitValue() + " after " + seconds + " s");
                String stats = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin
                        + "/stats?filter=http.web.downstream_rq")).build(), HttpResponse.BodyHandlers.ofString()).body();
                assertTrue(stats.contains("http.web.downstream_rq_idle_timeout: 0"), stats);
                assertTrue(stats.contains("http.web.downstream_rq_2xx: 1"), stats);
                System.out.println("LongDownloadIT: 10 GiB in " + seconds + " s through a 5 s idle timeout");
            } finally {
                Dist.stop(proxy);
                generator.interrupt();
            }
        }
    }

    /** Answers each request with a 10 GiB body from one reused buffer; nothing is kept. */
    private static void serve(ServerSocketChannel server) {
        while (server.isOpen()) {
            try (SocketChannel c = server.accept()) {
                InputStream in = c.socket().getInputStream();
                StringBuilder head = new StringBuilder();
                while (!head.toString().endsWith("\r\n\r\n")) {
                    int b = in.read();
                    if (b < 0) break;
                    head.append((char) b);
                }
                c.write(ByteBuffer.wrap(("HTTP/1.1 200 OK\r\nContent-Length: " + SIZE + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1)));
                ByteBuffer chunk = ByteBuffer.allocateDirect(1 << 20);
                long left = SIZE;
                while (left > 0) {
                    chunk.clear().limit((int) Math.min(chunk.capacity(), left));
                    left -= c.write(chunk);
                }
            } catch (IOException e) {
                // the proxy went away (or the test ended)
            }
        }
    }
}
