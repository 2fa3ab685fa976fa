package yastack.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import yastack.proxy.fixtures.TestUpstream;

/**
 * The built proxy as a separate process on the module path, with a deliberately small
 * heap and direct-memory cap: 1 GiB streams through both ways, so memory is bounded by
 * flow control, not by body size.
 */
class ProxyProcessIT {
    static final long GIB = 1L << 30;
    static TestUpstream upstream;
    static Process proxy;
    static Path log;
    static int port;
    static int adminPort;
    static final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void start() throws Exception {
        upstream = new TestUpstream("big");
        port = Dist.freePort();
        adminPort = Dist.freePort();
        Path dir = Files.createTempDirectory("yastack-it");
        Path cfg = dir.resolve("yastack.yaml");
        Files.writeString(cfg, """
                admin: {address: 127.0.0.1, port: %d}
                listeners:
                  - name: web
                    address: 127.0.0.1
                    port: %d
                    flavor: host
                    http:
                      route_config:
                        virtual_hosts:
                          - name: all
                            domains: ["*"]
                            routes:
                              - match: {prefix: "/"}
                                route: {cluster: big, timeout: 0s}
                clusters:
                  - {name: big, endpoints: [{address: 127.0.0.1, port: %d}]}
                """.formatted(adminPort, port, upstream.port()));
        log = dir.resolve("yastack.log");
        proxy = Dist.startRun(cfg, log, List.of("YASTACK_JAVA_OPTS=-Xmx96m -XX:MaxDirectMemorySize=96m"), "--workers", "2");
        Dist.awaitReady(adminPort, proxy, log);
    }

    @AfterAll
    static void stop() throws Exception {
        Dist.stop(proxy);
        if (upstream != null) upstream.close();
    }

    @Test
    void logsOneLinePerListenerWithFlavorAndAddress() throws Exception {
        String out = Files.readString(log);
        assertTrue(out.contains("listener web: http on 127.0.0.1:" + port + " flavor host"), out);
        assertTrue(out.contains("admin: http on 127.0.0.1:" + adminPort), out);
    }

    @Test
    void oneGibDownloadStreamsWithBoundedMemory() throws Exception {
        HttpResponse<InputStream> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/bytes/" + GIB))
                .timeout(Duration.ofMinutes(3)).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, r.statusCode());
        MessageDigest got = MessageDigest.getInstance("SHA-256");
        long n = 0;
        try (InputStream in = r.body()) {
            byte[] buf = new byte[256 * 1024];
            int k;
            while ((k = in.read(buf)) > 0) {
                got.update(buf, 0, k);
                n += k;
            }
        }
        assertEquals(GIB, n);
        assertEquals(HexFormat.of().formatHex(expectedSha(GIB)), HexFormat.of().formatHex(got.digest()));
        assertTrue(proxy.isAlive());
    }

    @Test
    void oneGibChunkedUploadStreamsWithBoundedMemory() throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/upload"))
                .timeout(Duration.ofMinutes(3))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new PatternStream(GIB))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(GIB + " " + HexFormat.of().formatHex(expectedSha(GIB)), r.body());
        assertTrue(proxy.isAlive());
        long peakKb = peakRssKb(proxy.pid());
        // Heap is capped at 96 MiB and direct memory at 96 MiB; the JVM itself adds ~100 MiB.
        assertTrue(peakKb < 450 * 1024, "peak RSS " + peakKb + " kB");
    }

    private static long peakRssKb(long pid) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
        return -1;
    }

    /** The bytes TestUpstream serves for /bytes/N: a 64 KiB pattern repeated. */
    static byte[] expectedSha(long n) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        try (InputStream in = new PatternStream(n)) {
            byte[] buf = new byte[256 * 1024];
            int k;
            while ((k = in.read(buf)) > 0) sha.update(buf, 0, k);
        }
        return sha.digest();
    }

    static final class PatternStream extends InputStream {
        private final byte[] chunk = new byte[64 * 1024];
        private long left;
        private int pos;

        PatternStream(long n) {
            left = n;
            for (int i = 0; i < chunk.length; i++) chunk[i] = (byte) (i * 31 + 7);
        }

        @Override
        public int read() {
            if (left == 0) return -1;
            left--;
            byte b = chunk[pos];
            pos = (pos + 1) % chunk.length;
            return b & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (left == 0) return -1;
            int n = (int) Math.min(len, Math.min(left, chunk.length - pos));
            System.arraycopy(chunk, pos, b, off, n);
            pos = (pos + n) % chunk.length;
            left -= n;
            return n;
        }
    }
}
