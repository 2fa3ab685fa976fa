package yastack.proxy.userspace;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import yastack.config.ConfigLoader;
import yastack.kernel.fixtures.NamespacedVeth;
import yastack.kernel.fixtures.NetSetup;
import yastack.kernel.fixtures.TestEal;
import yastack.proxy.ProxyEngine;
import yastack.proxy.fixtures.Engines;
import yastack.proxy.fixtures.ProxyHarness;

/**
 * The other direction of kernel bypass: a host listener -> a userspace cluster -> DPDK
 * net_af_packet on a veth -> an upstream HTTP server (python3's http.server) running in a
 * network namespace, so only the Java stack can reach it.
 */
class NamespaceUpstreamTest {
    @Test
    void hostListenerThroughUserspaceClusterToAServerInANamespace() throws Exception {
        NetSetup.requireRootAnd("ip", "ethtool", "python3");
        TestEal.get();
        Path dir = Files.createTempDirectory("yastack-ns-upstream");
        Path www = Files.createDirectories(dir.resolve("www"));
        byte[] blob = new byte[1 << 20];
        new Random(11).nextBytes(blob);
        Files.write(www.resolve("blob.bin"), blob);
        Files.writeString(www.resolve("healthz"), "ok");
        Process httpd = null;
        try (NamespacedVeth v = new NamespacedVeth("ynu", 78)) {
            String ours = v.ours, server = v.theirs, dpdk = v.host;
            httpd = new ProcessBuilder(NetSetup.concat(v.inNs, "python3", "-m", "http.server", "8000", "--bind", server,
                    "--directory", www.toString())).redirectErrorStream(true).redirectOutput(dir.resolve("httpd.log").toFile()).start();

            int port = ProxyHarness.freePort();
            Path cfg = dir.resolve("yastack.yaml");
            Files.writeString(cfg, """
                    stack:
                      interfaces:
                        - {name: dp0, backend: dpdk, vdev: "net_af_packet6,iface=%s", ip: %s/24}
                    listeners:
                      - name: front
                        address: 127.0.0.1
                        port: %d
                        http:
                          route_config:
                            virtual_hosts: [{name: all, domains: ["*"], routes: [{match: {prefix: "/"}, route: {cluster: ns_up}}]}]
                    clusters:
                      - name: ns_up
                        flavor: userspace
                        health_check: {path: /healthz, interval: 200ms}
                        endpoints: [{address: %s, port: 8000}]
                    """.formatted(dpdk, ours, port, server));
            try (ProxyEngine proxy = Engines.start(ConfigLoader.load(cfg), 1)) {
                HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
                HttpResponse<byte[]> r = null;
                // The server in the namespace may still be starting: a 503 (connect refused) is retried.
                for (int i = 0; i < 50 && (r == null || r.statusCode() == 503); i++) {
                    if (r != null) Thread.sleep(100);
                    r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/blob.bin"))
                            .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofByteArray());
                }
                assertEquals(200, r.statusCode(), new String(r.body()));
                assertTrue(Arrays.equals(blob, r.body()), "1 MiB from the namespace's server, byte for byte");
                for (int i = 0; i < 10; i++) {
                    HttpResponse<byte[]> again = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/blob.bin"))
                            .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofByteArray());
                    assertEquals(200, again.statusCode());
                    assertEquals(blob.length, again.body().length);
                }
                assertTrue(proxy.proxy().stats().value("cluster.ns_up.upstream_rq_2xx") >= 11);
                assertTrue(proxy.proxy().stats().value("stack.dp0.tcp.connections_opened_active") >= 1,
                        "the upstream connections were opened by the Java stack");
                assertTrue(proxy.proxy().stats().value("cluster.ns_up.health_check.success") >= 1,
                        "the active health check passes through the userspace stack");
                // A check that ran before the server was up marked it unhealthy; the next passing
                // ones mark it healthy again, one interval (200 ms) at a time.
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (!Long.valueOf(1L).equals(proxy.proxy().stats().gaugeValues().get("cluster.ns_up.health_check.healthy"))
                        && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                assertEquals(1L, proxy.proxy().stats().gaugeValues().get("cluster.ns_up.health_check.healthy"));
            }
            // The server saw the stack's address as its client.
            String log = Files.readString(dir.resolve("httpd.log"));
            assertTrue(log.contains(ours) && log.contains("GET /blob.bin"), log);
            assertTrue(log.contains("GET /healthz"), log);
        } finally {
            if (httpd != null) {
                httpd.destroy();
                httpd.waitFor(5, TimeUnit.SECONDS);
            }
            try (var files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
