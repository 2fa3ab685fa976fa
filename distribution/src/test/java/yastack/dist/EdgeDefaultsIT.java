package yastack.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import yastack.kernel.fixtures.Needs;
import yastack.proxy.fixtures.TestUpstream;

/**
 * The edge defaults of the built proxy, with curl as the client and no edge setting in the
 * config: path bypasses of a denied /admin, header limits, forwarded-header trust, and the
 * counters and reports the admin API shows for them.
 */
class EdgeDefaultsIT {
    static TestUpstream upstream;
    static Process proxy;
    static int port, admin;

    @BeforeAll
    static void start() throws Exception {
        Needs.commands("the edge defaults test", "curl");
        upstream = new TestUpstream("echo");
        port = Dist.freePort();
        admin = Dist.freePort();
        Path dir = Files.createTempDirectory("yastack-edge");
        Path cfg = dir.resolve("yastack.yaml");
        Files.writeString(cfg, """
                admin: {address: 127.0.0.1, port: %d}
                listeners:
                  - name: edge
                    address: 127.0.0.1
                    port: %d
                    http:
                      route_config:
                        virtual_hosts:
                          - name: all
                            domains: ["*"]
                            routes:
                              - match: {prefix: "/admin"}
                                direct_response: {status: 403, body: "denied"}
                              - match: {prefix: "/"}
                                route: {cluster: app}
                clusters:
                  - {name: app, endpoints: [{address: 127.0.0.1, port: %d}]}
                """.formatted(admin, port, upstream.port()));
        Path log = dir.resolve("yastack.log");
        proxy = Dist.startRun(cfg, log, List.of(), "--workers", "1");
        Dist.awaitReady(admin, proxy, log);
    }

    @AfterAll
    static void stop() throws Exception {
        Dist.stop(proxy);
        if (upstream != null) upstream.close();
    }

    /** curl's status line and body for {@code path} (sent as is) with {@code args}. */
    static String curl(String path, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("curl", "-s", "--path-as-is", "--max-time", "10", "-w", "\n%{http_code}"));
        cmd.addAll(List.of(args));
        cmd.add("http://127.0.0.1:" + port + path);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(15, TimeUnit.SECONDS), "curl hung");
        int nl = out.lastIndexOf('\n');
        return out.substring(nl + 1) + " " + out.substring(0, Math.max(0, nl));
    }

    static String admin(String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin + path)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    @Test
    void everySpellingOfTheDeniedPathIsDenied() throws Exception {
        int before = upstream.requests.get();
        for (String path : List.of("/admin", "/x/../admin", "//admin", "/./admin/", "/%61dmin", "/x/%2e%2e/admin", "/x/%2E%2E/admin")) {
            assertTrue(curl(path).startsWith("403 "), path);
        }
        String escaped = curl("/public%2F..%2Fadmin", "-o", "/dev/null", "-D", "-");
        assertTrue(escaped.startsWith("307 ") && escaped.toLowerCase(Locale.ROOT).contains("location: /admin"), escaped);
        assertEquals(before, upstream.requests.get(), "nothing reached the upstream");
        String stats = admin("/stats?filter=http.edge.downstream_rq_path_redirected");
        assertTrue(stats.contains("http.edge.downstream_rq_path_redirected: 1"), stats);
    }

    @Test
    void headerLimitsAnswer431And400() throws Exception {
        List<String> hundred = new ArrayList<>();
        // curl adds Host, User-Agent and Accept: 97 more make 100 fields.
        for (int i = 0; i < 97; i++) hundred.addAll(List.of("-H", "x-h" + i + ": v"));
        assertTrue(curl("/ok", hundred.toArray(new String[0])).startsWith("200 "), "100 fields pass");
        hundred.addAll(List.of("-H", "x-one-more: v"));
        assertTrue(curl("/ok", hundred.toArray(new String[0])).startsWith("431 "), "the 101st is one too many");
        assertTrue(curl("/ok", "-H", "x_user: admin").startsWith("400 "), "underscores are rejected");
        String stats = admin("/stats?filter=http.edge.");
        assertTrue(stats.contains("http.edge.downstream_rq_too_many_headers: 1"), stats);
        assertTrue(stats.contains("http.edge.requests_rejected_with_underscores_in_headers: 1"), stats);
    }

    @Test
    void theClientsForwardedHeadersAreNotBelieved() throws Exception {
        String echo = curl("/echo", "-H", "x-forwarded-for: 203.0.113.9", "-H", "x-forwarded-proto: https",
                "-H", "x-request-id: chosen-by-client");
        assertTrue(echo.startsWith("200 "), echo);
        assertTrue(echo.contains("h:x-forwarded-for=203.0.113.9, 127.0.0.1\n"), echo);
        assertTrue(echo.contains("h:x-forwarded-proto=http\n"), echo);
        assertFalse(echo.contains("chosen-by-client"), echo);
    }

    @Test
    void theAdminApiShowsOverloadAndBreakers() throws Exception {
        String overload = admin("/overload");
        assertTrue(overload.contains("\"level\" : \"normal\""), overload);
        assertTrue(overload.contains("\"stop_accepting_requests\" : 0.95"), "the default watermark: " + overload);
        String clusters = admin("/clusters");
        assertTrue(clusters.contains("\"max_pending_requests\" : 1024"), clusters);
        String stats = admin("/stats?filter=overload");
        assertTrue(stats.contains("overload.stop_accepting_connections.active: 0"), stats);
    }
}
