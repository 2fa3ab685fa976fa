package yastack.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECPoint;
import java.util.Base64;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
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
    static int port, adminPort, tcpPort, limitedPort, guardedPort, authzPort, jwtPort, chaosPort;
    static KeyPair tokenKey;
    static HttpServer auth;
    static final List<String> authSaw = new CopyOnWriteArrayList<>();
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
        guardedPort = Dist.freePort();
        authzPort = Dist.freePort();
        jwtPort = Dist.freePort();
        chaosPort = Dist.freePort();
        KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
        ec.initialize(new ECGenParameterSpec("secp256r1"));
        tokenKey = ec.generateKeyPair();
        auth = authService();
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
                  - name: guarded
                    address: 127.0.0.1
                    port: %d
                    http:
                      xff_num_trusted_hops: 1
                      filters:
                        - name: rbac
                          config:
                            policies:
                              office: {permissions: [{url_path: {prefix: /admin}}],
                                       principals: [{and: [{remote_ip: 10.0.0.0/8}, {direct_remote_ip: 127.0.0.1/32}]}]}
                              everyone: {permissions: [{not: {url_path: {prefix: /admin}}}], principals: [{any: true}]}
                      route_config:
                        virtual_hosts: [{name: all, domains: ["*"], routes: [{match: {prefix: "/"}, route: {cluster: web-canary}}]}]
                  - name: authz
                    address: 127.0.0.1
                    port: %d
                    http:
                      filters:
                        - name: ext_authz
                          config: {cluster: auth, path_prefix: /verify, allowed_upstream_headers: [x-user], timeout: 5s}
                      route_config:
                        virtual_hosts: [{name: all, domains: ["*"], routes: [{match: {prefix: "/"}, route: {cluster: web-canary}}]}]
                  - name: jwt
                    address: 127.0.0.1
                    port: %d
                    http:
                      filters:
                        - name: jwt_authn
                          config:
                            providers:
                              idp: {issuer: "https://idp.it", remote_jwks: {cluster: auth, path: /jwks},
                                    claim_to_headers: [{header_name: x-user, claim_name: sub}]}
                            rules: [{match: {prefix: /}, requires: idp}]
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
                  - {name: auth, endpoints: [{address: 127.0.0.1, port: %d}]}
                """.formatted(adminPort, port, limitedPort, guardedPort, authzPort, jwtPort, chaosPort, tcpPort, stable.port(), canary.port(),
                auth.getAddress().getPort()));
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
        if (auth != null) auth.stop(0);
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
    void rbacAllowsOnlyWhatAPolicyMatches() throws Exception {
        HttpResponse<String> admin = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + guardedPort + "/admin/x")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(403, admin.statusCode(), "127.0.0.1 is not in the office range");
        assertEquals("RBAC: access denied\n", admin.body());
        HttpResponse<String> shop = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + guardedPort + "/shop")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, shop.statusCode(), shop.body());
        // The office's address forwarded by the trusted proxy in front (127.0.0.1, the TCP peer).
        HttpResponse<String> viaProxy = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + guardedPort + "/admin/x"))
                .header("X-Forwarded-For", "10.1.2.3").build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, viaProxy.statusCode(), viaProxy.body());
        String stats = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/stats?filter=rbac")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertTrue(stats.contains("plugin.rbac.denied: 1") && stats.contains("plugin.rbac.allowed: 2"), stats);
    }

    /** An authorization service: "Bearer good" is alice, anything else a 401 with a challenge. */
    private static HttpServer authService() throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        s.createContext("/", ex -> {
            authSaw.add(ex.getRequestMethod() + " " + ex.getRequestURI() + " for " + ex.getRequestHeaders().getFirst("X-Forwarded-Uri"));
            boolean good = "Bearer good".equals(ex.getRequestHeaders().getFirst("Authorization"));
            byte[] body = (good ? "" : "no entry\n").getBytes();
            if (good) ex.getResponseHeaders().add("X-User", "alice");
            else ex.getResponseHeaders().add("WWW-Authenticate", "Bearer realm=\"it\"");
            ex.sendResponseHeaders(good ? 200 : 401, body.length == 0 ? -1 : body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        s.createContext("/jwks", ex -> {
            ECPoint w = ((ECPublicKey) tokenKey.getPublic()).getW();
            byte[] body = ("{\"keys\": [{\"kty\": \"EC\", \"kid\": \"k1\", \"crv\": \"P-256\", \"x\": \"" + coordinate(w.getAffineX())
                    + "\", \"y\": \"" + coordinate(w.getAffineY()) + "\"}]}").getBytes();
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        s.start();
        return s;
    }

    private static String coordinate(BigInteger c) {
        byte[] b = c.toByteArray(), out = new byte[32];
        int skip = b.length > 32 ? b.length - 32 : 0;
        System.arraycopy(b, skip, out, 32 - (b.length - skip), b.length - skip);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(out);
    }

    /** An ES256 token from the test's identity provider for {@code sub}. */
    private static String token(String sub) throws Exception {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        long exp = System.currentTimeMillis() / 1000 + 300;
        String input = b64.encodeToString("{\"alg\":\"ES256\",\"kid\":\"k1\"}".getBytes()) + "."
                + b64.encodeToString(("{\"iss\":\"https://idp.it\",\"sub\":\"" + sub + "\",\"exp\":" + exp + "}").getBytes());
        Signature s = Signature.getInstance("SHA256withECDSAinP1363Format");
        s.initSign(tokenKey.getPrivate());
        s.update(input.getBytes());
        return input + "." + b64.encodeToString(s.sign());
    }

    @Test
    void jwtAuthnVerifiesTokensWithKeysFetchedFromTheProvider() throws Exception {
        HttpResponse<String> in = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + jwtPort + "/account"))
                .header("Authorization", "Bearer " + token("bob")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, in.statusCode(), in.body());
        assertTrue(in.body().contains("h:x-user=bob") && !in.body().contains("h:authorization"), in.body());
        HttpResponse<String> out = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + jwtPort + "/account")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(401, out.statusCode());
        assertEquals("Jwt is missing", out.body());
        assertTrue(out.headers().firstValue("www-authenticate").orElse("").startsWith("Bearer realm="), out.headers().toString());
        String stats = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/stats?filter=jwt_authn")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertTrue(stats.contains("plugin.jwt_authn.allowed: 1") && stats.contains("plugin.jwt_authn.denied: 1")
                && stats.contains("plugin.jwt_authn.jwks_fetch_success: 1"), stats);
    }

    @Test
    void extAuthzAsksTheServiceAndPassesItsVerdictOn() throws Exception {
        HttpResponse<String> in = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + authzPort + "/private?q=1"))
                .header("Authorization", "Bearer good").build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, in.statusCode(), in.body());
        assertTrue(in.body().contains("h:x-user=alice"), "the service's user reaches the upstream: " + in.body());
        assertTrue(authSaw.contains("GET /verify/private?q=1 for /private?q=1"), authSaw.toString());
        HttpResponse<String> posted = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + authzPort + "/orders"))
                .header("Authorization", "Bearer good").POST(HttpRequest.BodyPublishers.ofString("one order")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertTrue(posted.statusCode() == 200 && posted.body().contains("body=one order"), "the body waits for the verdict: " + posted.body());
        HttpResponse<String> out = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + authzPort + "/private")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(401, out.statusCode(), out.body());
        assertEquals("no entry\n", out.body());
        assertEquals("Bearer realm=\"it\"", out.headers().firstValue("www-authenticate").orElse(""));
        String stats = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/stats?filter=ext_authz")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertTrue(stats.contains("plugin.ext_authz.ok: 2") && stats.contains("plugin.ext_authz.denied: 1"), stats);
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
