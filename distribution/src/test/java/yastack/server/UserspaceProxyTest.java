package yastack.server;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import yastack.config.ConfigLoader;
import yastack.proxy.fixtures.ProxyHarness;
import yastack.proxy.fixtures.TestPki;
import yastack.proxy.fixtures.TestUpstream;
import yastack.server.ProxyInstance;

/**
 * Dual-flavor proxying end to end with the Linux kernel as the peer over a TAP device:
 * a userspace HTTP listener (and a userspace TLS listener) in front of a host upstream,
 * and a host listener in front of a userspace cluster whose upstream sits on the kernel
 * side of the TAP — all four socket kinds on the same worker loops.
 */
class UserspaceProxyTest {
    static String dev;
    static String ours;
    static String kernelSide;
    static Path dir;
    static TestUpstream hostUp;
    static TestUpstream kernelUp;
    static ProxyInstance proxy;
    static int frontPort;

    static String sh(boolean must, String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", cmd) + " timed out");
        }
        if (must && p.exitValue() != 0) throw new AssertionError(String.join(" ", cmd) + ": " + out);
        return out;
    }

    @BeforeAll
    static void start() throws Exception {
        if (!"root".equals(System.getProperty("user.name"))) {
            throw new AssertionError("this test needs root to create a TAP device; run ./test.sh as root");
        }
        dev = "ysp" + Long.toString(ThreadLocalRandom.current().nextLong(1L << 30), 36);
        int n = 100 + ThreadLocalRandom.current().nextInt(150);
        ours = "10.79." + n + ".2";
        kernelSide = "10.79." + n + ".1";
        dir = Files.createTempDirectory("yastack-us");
        TestPki pki = new TestPki(dir);
        pki.issue("a", "a.test", ours);
        hostUp = new TestUpstream("host-side");
        kernelUp = new TestUpstream("kernel-side", "0.0.0.0");
        frontPort = ProxyHarness.freePort();
        // Steering script: connections to port 8080 from odd source ports go to the last live
        // worker, the rest spread by hash (checked through /stats below).
        Files.writeString(dir.resolve("steer.js"), """
                export function steer(flow, workers) {
                  const live = workers.live;
                  if (flow.dstPort === 8080 && flow.srcPort % 2 === 1) return live[live.length - 1];
                  return live[flow.hash % live.length];
                }
                """);
        Path cfg = dir.resolve("yastack.yaml");
        Files.writeString(cfg, """
                admin: {address: 127.0.0.1, port: 9901}
                stack:
                  workers: 2
                  rss: {mode: software, steering: {script: steer.js}}
                  interfaces: [{name: tp0, backend: tap, device: %s, ip: %s/24}]
                listeners:
                  - name: us_web
                    address: %s
                    port: 8080
                    flavor: userspace
                    http:
                      route_config:
                        virtual_hosts: [{name: all, domains: ["*"], routes: [{match: {prefix: "/"}, route: {cluster: host_up, timeout: 0s}}]}]
                  - name: us_tls
                    address: %s
                    port: 8443
                    flavor: userspace
                    tls: {certificates: [{cert: a.pem, key: a.key}], alpn: [h2, http/1.1]}
                    http:
                      route_config:
                        virtual_hosts: [{name: all, domains: ["*"], routes: [{match: {prefix: "/"}, route: {cluster: host_up}}]}]
                  - name: host_front
                    address: 127.0.0.1
                    port: %d
                    http:
                      route_config:
                        virtual_hosts: [{name: all, domains: ["*"], routes: [{match: {prefix: "/"}, route: {cluster: us_up, timeout: 0s}}]}]
                clusters:
                  - {name: host_up, endpoints: [{address: 127.0.0.1, port: %d}]}
                  - {name: us_up, flavor: userspace, endpoints: [{address: %s, port: %d}]}
                """.formatted(dev, ours, ours, ours, frontPort, hostUp.port(), kernelSide, kernelUp.port()));
        proxy = ProxyInstance.start(ConfigLoader.load(cfg), 2, 0, false);
        sh(true, "ip", "addr", "add", kernelSide + "/24", "dev", dev);
        sh(false, "ethtool", "-K", dev, "tx", "off", "tso", "off", "gso", "off", "gro", "off");
    }

    @AfterAll
    static void stop() throws Exception {
        if (proxy != null) proxy.close();
        if (hostUp != null) hostUp.close();
        if (kernelUp != null) kernelUp.close();
        if (dev != null) sh(false, "ip", "link", "del", dev);
    }

    @Test
    void kernelClientThroughUserspaceListenerToHostUpstream() throws Exception {
        String out = sh(true, "curl", "-sS", "--max-time", "10", "http://" + ours + ":8080/hello?x=1");
        assertTrue(out.contains("upstream=host-side") && out.contains("uri=/hello?x=1"), out);
        assertTrue(out.contains("h:x-forwarded-for=" + kernelSide), out);
    }

    @Test
    void tlsAndH2OnTheUserspaceListener() throws Exception {
        for (String version : List.of("--http1.1", "--http2")) {
            String out = sh(true, "curl", "-sS", "-v", version, "--max-time", "10", "--cacert", dir.resolve("ca.pem").toString(),
                    "--resolve", "a.test:8443:" + ours, "https://a.test:8443/secure");
            assertTrue(out.contains("subject: CN=a.test") && out.contains("upstream=host-side"), out);
        }
        // The JDK client verifies the certificate against the address (IP SAN) and the CA.
        Certificate ca = CertificateFactory.getInstance("X.509")
                .generateCertificate(Files.newInputStream(dir.resolve("ca.pem")));
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", ca);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
        tmf.init(trust);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        for (HttpClient.Version v : List.of(HttpClient.Version.HTTP_1_1, HttpClient.Version.HTTP_2)) {
            HttpClient jdk = HttpClient.newBuilder().sslContext(ssl).version(v).build();
            HttpResponse<String> r = jdk.send(HttpRequest.newBuilder(URI.create("https://" + ours + ":8443/jdk")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
            assertEquals(v, r.version());
            assertTrue(r.body().contains("upstream=host-side") && r.body().contains("uri=/jdk"), r.body());
        }
        assertTrue(proxy.proxy().stats().value("listener.us_tls.ssl.handshake") >= 4);
    }

    @Test
    void hostListenerThroughUserspaceClusterToKernelSideUpstream() throws Exception {
        HttpClient c = HttpClient.newHttpClient();
        for (int i = 0; i < 20; i++) {
            HttpResponse<String> r = c.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + frontPort + "/via/" + i)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
            assertTrue(r.body().contains("upstream=kernel-side") && r.body().contains("uri=/via/" + i), r.body());
            assertTrue(r.body().contains("h:x-forwarded-for=127.0.0.1"), r.body());
        }
        assertTrue(proxy.proxy().stats().value("cluster.us_up.upstream_rq_2xx") >= 20);
    }

    @Test
    void bulkBothWaysWithMatchingDigests() throws Exception {
        long size = 256L << 20;
        String expected = sh(true, "sh", "-c", "curl -sS --max-time 120 http://127.0.0.1:" + hostUp.port() + "/bytes/" + size + " | sha256sum").split(" ")[0];
        String down = sh(true, "sh", "-c", "curl -sS --max-time 120 http://" + ours + ":8080/bytes/" + size + " | sha256sum").split(" ")[0];
        assertEquals(expected, down, "download through the userspace listener");
        Path blob = dir.resolve("blob");
        sh(true, "sh", "-c", "head -c " + size + " /dev/urandom > " + blob);
        String local = sh(true, "sha256sum", blob.toString()).split(" ")[0];
        String up = sh(true, "curl", "-sS", "--max-time", "120", "--data-binary", "@" + blob, "http://" + ours + ":8080/upload");
        assertEquals(size + " " + local, up.trim(), "upload through the userspace listener");
        String viaCluster = sh(true, "sh", "-c", "curl -sS --max-time 120 http://127.0.0.1:" + frontPort + "/bytes/" + size + " | sha256sum").split(" ")[0];
        assertEquals(expected, viaCluster, "download through the userspace cluster");
    }

    @Test
    void thousandConcurrentKeepAliveConnections() throws Exception {
        int conns = 1000;
        // Every connection answers one request, then all wait until the 1,000 are open at
        // once, then each sends two more on the same connection.
        CountDownLatch allOpen = new CountDownLatch(conns);
        Queue<String> failures = new ConcurrentLinkedQueue<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Integer>> results = new ArrayList<>();
            for (int i = 0; i < conns; i++) {
                int id = i;
                results.add(pool.submit(() -> {
                    int ok = 0;
                    try (Socket s = new Socket(ours, 8080)) {
                        s.setSoTimeout(60_000);
                        OutputStream out = s.getOutputStream();
                        InputStream in = s.getInputStream();
                        for (int k = 0; k < 3; k++) {
                            if (k == 1) {
                                allOpen.countDown();
                                if (!allOpen.await(90, TimeUnit.SECONDS)) throw new AssertionError("not all connections opened");
                            }
                            out.write(("GET /status/200?c=" + id + " HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                            out.flush();
                            String head = ProxyHarness.readResponse(in);
                            if (head.startsWith("HTTP/1.1 200")) ok++;
                            else failures.add("connection " + id + " request " + k + ": " + head);
                        }
                    }
                    return ok;
                }));
            }
            int total = 0;
            for (Future<Integer> f : results) total += f.get(180, TimeUnit.SECONDS);
            assertEquals(conns * 3, total, () -> failures + " " + proxy.proxy().stats().counterValues().entrySet().stream()
                    .filter(e -> e.getKey().startsWith("cluster.host_up.")).toList());
        }
        assertTrue(proxy.proxy().stats().value("listener.us_web.downstream_cx_total") >= conns);
    }

    @Test
    void steeringScriptChoosesTheWorkerForNewFlows() throws Exception {
        for (int i = 0; i < 10; i++) sh(true, "curl", "-sS", "--max-time", "10", "-o", "/dev/null", "http://" + ours + ":8080/steer/" + i);
        long newFlows = proxy.proxy().stats().counterValues().entrySet().stream()
                .filter(e -> e.getKey().startsWith("script.steer.") && e.getKey().endsWith("new_flows"))
                .mapToLong(Map.Entry::getValue).sum();
        assertTrue(newFlows >= 10, "the steering script saw the new flows: " + proxy.proxy().stats().counterValues());
    }

    @Test
    void adminShowsTheStack() throws Exception {
        HttpClient c = HttpClient.newHttpClient();
        String stack = c.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.adminPort() + "/stack")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertTrue(stack.contains("tp0") && stack.contains(ours), stack);
        String stats = c.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.adminPort() + "/stats?filter=stack.tp0.tcp")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertTrue(stats.contains("stack.tp0.tcp."), stats);
        String listeners = c.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.adminPort() + "/listeners")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertTrue(listeners.contains("\"userspace\""), listeners);
    }
}
