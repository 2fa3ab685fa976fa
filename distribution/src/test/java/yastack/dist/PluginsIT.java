package yastack.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import yastack.proxy.fixtures.TestUpstream;

/**
 * Plugins through the real proxy on the module path: built-in filters, the shipped
 * third-party example (filter + router) from a plugin directory, and a plugin jar built
 * here (an LB policy and a filter that throws) — as a user would ship them.
 */
class PluginsIT {
    static TestUpstream stable, canary;
    static Process proxy;
    static Path dir, log;
    static int port, adminPort, tcpPort, limitedPort, chaosPort;
    static final HttpClient client = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        stable = new TestUpstream("stable");
        canary = new TestUpstream("canary");
        dir = Files.createTempDirectory("yastack-plugins-it");
        Path plugins = Files.createDirectories(dir.resolve("plugins"));
        Files.copy(Dist.HOME.resolve("examples/plugins/yastack-example-abtest.jar"), plugins.resolve("abtest.jar"));
        buildTestPlugin(plugins.resolve("testplugin.jar"));
        port = Dist.freePort();
        adminPort = Dist.freePort();
        tcpPort = Dist.freePort();
        limitedPort = Dist.freePort();
        chaosPort = Dist.freePort();
        Path cfg = dir.resolve("yastack.yaml");
        Files.writeString(cfg, """
                admin: {address: 127.0.0.1, port: %d}
                listeners:
                  - name: web
                    address: 127.0.0.1
                    port: %d
                    http:
                      filters:
                        - name: headers
                          config: {response: {set: {x-client: "%%DOWNSTREAM_REMOTE_ADDRESS%%"}}, request: {set: {x-from-filter: "yes"}}}
                        - name: boom
                        - name: ab-cookie
                          config: {cookie: ab, header: x-variant, percent_b: 50}
                        - name: local-ratelimit
                          config: {max_tokens: 1000, tokens_per_fill: 1000, fill_interval: 1s}
                      router:
                        plugin: ab-router
                        config: {header: x-variant, clusters: {a: web-stable, b: web-canary}, default: a}
                  - name: limited
                    address: 127.0.0.1
                    port: %d
                    http:
                      filters:
                        - name: local-ratelimit
                          config: {max_tokens: 2, tokens_per_fill: 1, fill_interval: 60s}
                      route_config:
                        virtual_hosts: [{name: all, domains: ["*"], routes: [{match: {prefix: "/"}, route: {cluster: web-canary}}]}]
                  - name: chaos
                    address: 127.0.0.1
                    port: %d
                    http:
                      filters:
                        - name: fault
                          config: {delay: {fixed_delay: 300ms}, abort: {header_abort: true}, header: x-chaos}
                      route_config:
                        virtual_hosts: [{name: all, domains: ["*"], routes: [{match: {prefix: "/"}, route: {cluster: web-canary}}]}]
                  - name: l4
                    address: 127.0.0.1
                    port: %d
                    tcp:
                      cluster: web-canary
                      filters: [{name: quit-guard}]
                clusters:
                  - {name: web-stable, lb_policy: {plugin: first-host}, endpoints: [{address: 127.0.0.1, port: %d}, {address: 127.0.0.1, port: 1}]}
                  - {name: web-canary, endpoints: [{address: 127.0.0.1, port: %d}]}
                """.formatted(adminPort, port, limitedPort, chaosPort, tcpPort, stable.port(), canary.port()));
        log = dir.resolve("yastack.log");
        proxy = Dist.startRun(cfg, log, List.of(), "--workers", "2", "--plugins", plugins.toString());
        Dist.awaitReady(adminPort, proxy, log);
    }

    /** A plugin jar compiled against the shipped yastack-api only: an LB policy and a throwing filter. */
    static void buildTestPlugin(Path jar) throws IOException {
        Path src = Files.createDirectories(dir.resolve("src/test/plugin"));
        Files.writeString(src.resolve("FirstHost.java"), """
                package test.plugin;
                import yastack.api.*;
                public final class FirstHost implements LoadBalancerFactory {
                    public String name() { return "first-host"; }
                    public String description() { return "always the first usable host"; }
                    public void validate(PluginConfig c) {}
                    public LoadBalancer create(PluginConfig c, PluginContext ctx) {
                        return (hosts, lb) -> {
                            for (int i = 0; i < hosts.size(); i++) if (hosts.usable(i)) return i;
                            return LoadBalancer.NO_HOST;
                        };
                    }
                }
                """);
        Files.writeString(src.resolve("Boom.java"), """
                package test.plugin;
                import yastack.api.*;
                public final class Boom implements HttpFilterFactory {
                    public String name() { return "boom"; }
                    public String description() { return "throws when asked to"; }
                    public void validate(PluginConfig c) {}
                    public ConfiguredHttpFilter create(PluginConfig c, PluginContext ctx) {
                        return stream -> new HttpFilter() {
                            public FilterResult onRequestHeaders(HttpStream s, HttpRequestHead r) {
                                if (r.headers().contains("x-boom")) throw new IllegalStateException("boom");
                                return FilterResult.proceed();
                            }
                        };
                    }
                }
                """);
        Files.writeString(src.resolve("QuitGuard.java"), """
                package test.plugin;
                import yastack.api.*;
                import java.nio.charset.StandardCharsets;
                public final class QuitGuard implements NetworkFilterFactory {
                    public String name() { return "quit-guard"; }
                    public String description() { return "closes a TCP connection whose client sends QUIT"; }
                    public void validate(PluginConfig c) {}
                    public ConfiguredNetworkFilter create(PluginConfig c, PluginContext ctx) {
                        return conn -> new NetworkFilter() {
                            public Status onOpen(NetworkConnection cn) { ctx.stats().counter("opened").inc(); return Status.CONTINUE; }
                            public Status onDownstreamData(NetworkConnection cn, java.nio.ByteBuffer data) {
                                byte[] b = new byte[data.remaining()];
                                data.get(b);
                                return new String(b, StandardCharsets.ISO_8859_1).contains("QUIT") ? Status.CLOSE : Status.CONTINUE;
                            }
                            public void onClose(NetworkConnection cn) { ctx.stats().counter("closed").inc(); }
                        };
                    }
                }
                """);
        Path out = Files.createDirectories(dir.resolve("classes"));
        Path api = Files.list(Dist.HOME.resolve("lib")).filter(p -> p.getFileName().toString().startsWith("yastack-api-")).findFirst().orElseThrow();
        Path protobuf = Files.list(Dist.HOME.resolve("lib")).filter(p -> p.getFileName().toString().startsWith("protobuf-java-4")).findFirst().orElseThrow();
        int rc = ToolProvider.getSystemJavaCompiler().run(null, null, null, "-d", out.toString(), "-cp", api + ":" + protobuf,
                src.resolve("FirstHost.java").toString(), src.resolve("Boom.java").toString(), src.resolve("QuitGuard.java").toString());
        assertEquals(0, rc, "test plugin compiles against yastack-api");
        try (JarOutputStream j = new JarOutputStream(Files.newOutputStream(jar))) {
            try (var classes = Files.list(out.resolve("test/plugin"))) {
                for (Path c : classes.toList()) {
                    j.putNextEntry(new JarEntry("test/plugin/" + c.getFileName()));
                    j.write(Files.readAllBytes(c));
                    j.closeEntry();
                }
            }
            j.putNextEntry(new JarEntry("META-INF/services/yastack.api.LoadBalancerFactory"));
            j.write("test.plugin.FirstHost\n".getBytes());
            j.closeEntry();
            j.putNextEntry(new JarEntry("META-INF/services/yastack.api.NetworkFilterFactory"));
            j.write("test.plugin.QuitGuard\n".getBytes());
            j.closeEntry();
            j.putNextEntry(new JarEntry("META-INF/services/yastack.api.HttpFilterFactory"));
            j.write("test.plugin.Boom\n".getBytes());
            j.closeEntry();
        }
    }

    @AfterAll
    static void stop() throws Exception {
        Dist.stop(proxy);
        if (stable != null) stable.close();
        if (canary != null) canary.close();
    }

    private static HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
        for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void filtersAndRouterPluginsShapeTheRequest() throws Exception {
        HttpResponse<String> b = get("/x", "cookie", "ab=b");
        assertEquals(200, b.statusCode(), b.body());
        assertTrue(b.body().contains("upstream=canary"), b.body());
        assertTrue(b.body().contains("h:x-from-filter=yes"), b.body());
        assertTrue(b.body().contains("h:x-variant=b"), b.body());
        assertTrue(b.headers().firstValue("x-client").orElse("").startsWith("127.0.0.1:"), b.headers().toString());
        HttpResponse<String> a = get("/y", "cookie", "ab=a");
        assertTrue(a.body().contains("upstream=stable"), a.body());
        HttpResponse<String> fresh = get("/z");
        assertTrue(fresh.headers().allValues("set-cookie").stream().anyMatch(c -> c.startsWith("ab=")), fresh.headers().toString());
    }

    @Test
    void lbPluginChoosesTheEndpoint() throws Exception {
        for (int i = 0; i < 20; i++) {
            HttpResponse<String> r = get("/lb", "cookie", "ab=a");
            assertEquals(200, r.statusCode(), "first-host never picks the dead second endpoint: " + r.body());
        }
    }

    @Test
    void aThrowingFilterIsContainedAndCounted() throws Exception {
        HttpResponse<String> r = get("/boom", "x-boom", "1");
        assertEquals(500, r.statusCode());
        assertEquals(200, get("/after", "cookie", "ab=a").statusCode(), "the worker survives");
        String stats = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/stats?filter=plugin")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertTrue(stats.contains("plugin.boom.errors: 1"), stats);
    }

    @Test
    void aJavaPluginStopsTheRequestWithItsOwnReply() throws Exception {
        HttpResponse<String> last = null;
        for (int i = 0; i < 3; i++) {
            last = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + limitedPort + "/r" + i)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (i < 2) assertEquals(200, last.statusCode(), "within the 2 tokens: " + last.body());
        }
        assertEquals(429, last.statusCode(), last.body());
        assertTrue(last.headers().firstValue("retry-after").isPresent(), last.headers().toString());
    }

    @Test
    void faultInjectionDelaysAndAbortsWhatItIsAskedTo() throws Exception {
        long start = System.nanoTime();
        HttpResponse<String> aborted = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + chaosPort + "/x"))
                .header("x-chaos", "1").header("x-envoy-fault-abort-request", "503").build(), HttpResponse.BodyHandlers.ofString());
        long tookMillis = (System.nanoTime() - start) / 1_000_000;
        assertEquals(503, aborted.statusCode());
        assertEquals("fault filter abort", aborted.body());
        assertTrue(tookMillis >= 300, "delayed first: " + tookMillis + " ms");
        HttpResponse<String> spared = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + chaosPort + "/x")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, spared.statusCode(), "without x-chaos no fault: " + spared.body());
    }

    @Test
    void l4FilterSeesBytesAndCanCloseTheConnection() throws Exception {
        try (Socket s = new Socket("127.0.0.1", tcpPort)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write("GET /through-l4 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".getBytes());
            String answer = new String(s.getInputStream().readAllBytes());
            assertTrue(answer.startsWith("HTTP/1.1 200") && answer.contains("upstream=canary"), answer);
        }
        try (Socket s = new Socket("127.0.0.1", tcpPort)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write("QUIT\r\n".getBytes());
            assertEquals(-1, s.getInputStream().read(), "the filter closed the connection");
        }
        String stats = "";
        for (int i = 0; i < 40 && !stats.contains("plugin.quit-guard.closed: 2"); i++) {
            Thread.sleep(50);
            stats = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/stats?filter=quit-guard")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        }
        assertTrue(stats.contains("plugin.quit-guard.opened: 2") && stats.contains("plugin.quit-guard.closed: 2"), stats);
    }

    @Test
    void pluginsCommandListsWhatIsInstalled() throws Exception {
        Dist.Result r = Dist.run("plugins", "--plugins", dir.resolve("plugins").toString());
        assertEquals(0, r.exit(), r.out() + r.err());
        for (String name : List.of("headers", "local-ratelimit", "cors", "rbac", "access-log", "toeplitz", "ab-cookie", "ab-router", "first-host", "boom")) {
            assertTrue(r.out().contains(name), name + " in\n" + r.out());
        }
    }
}
