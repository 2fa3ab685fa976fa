package yastack.proxy;

import yastack.proxy.fixtures.ProxyHarness;
import yastack.proxy.fixtures.TestUpstream;
import java.io.IOException;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The access log: one JSON line per request, to the configured file. */
class AccessLogTest {
    @Test
    void oneJsonLinePerRequest() throws Exception {
        Path log = Files.createTempFile("access", ".log");
        try (TestUpstream up = new TestUpstream("up");
             ProxyHarness proxy = new ProxyHarness("""
                     listeners:
                       - name: logged
                         address: 127.0.0.1
                         port: ${PORT}
                         http:
                           access_log: {path: %s}
                           preserve_external_request_id: true
                           route_config:
                             virtual_hosts:
                               - name: all
                                 domains: ["*"]
                                 routes:
                                   - {match: {path: "/local"}, direct_response: {status: 202, body: "ok"}}
                                   - {match: {prefix: "/"}, route: {cluster: up}}
                     clusters:
                       - {name: up, endpoints: [{address: 127.0.0.1, port: %d}]}
                     """.formatted(log, up.port()), 1)) {
            var hello = proxy.get("/hello?x=1", "user-agent", "test-agent", "x-request-id", "rid-1");
            proxy.get("/local");
            proxy.get("/missing/status/404");
            List<String> lines = List.of();
            for (int i = 0; i < 100 && lines.size() < 3; i++) {
                Thread.sleep(50);
                lines = Files.readAllLines(log);
            }
            assertEquals(3, lines.size(), String.join("\n", lines));
            JsonLine first = JsonLine.parse(lines.get(0));
            assertEquals("logged", first.getString("listener"));
            assertEquals("GET", first.getString("method"));
            assertEquals("/hello", first.getString("path"));
            assertEquals(200, first.getInteger("status"));
            assertEquals("up", first.getString("cluster"));
            assertEquals("127.0.0.1:" + up.port(), first.getString("upstream_host"));
            assertEquals("rid-1", first.getString("request_id"));
            assertEquals("test-agent", first.getString("user_agent"));
            assertTrue(first.getLong("duration_us") > 0);
            assertEquals(hello.body().getBytes(java.nio.charset.StandardCharsets.UTF_8).length, first.getLong("bytes_sent"),
                    "the body bytes the client got");
            assertEquals(0, first.getLong("bytes_received"), "a GET without a body");
            JsonLine local = JsonLine.parse(lines.get(1));
            assertEquals(202, local.getInteger("status"));
            assertEquals(2, local.getLong("bytes_sent"), "the direct response's body, \"ok\"");
            assertEquals(null, local.getString("cluster"));
        } finally {
            Files.deleteIfExists(log);
        }
    }

    private static List<String> await(Path file, int n) throws InterruptedException, IOException {
        List<String> lines = List.of();
        for (int i = 0; i < 100 && lines.size() < n; i++) {
            Thread.sleep(50);
            lines = Files.exists(file) ? Files.readAllLines(file) : List.of();
        }
        return lines;
    }

    @Test
    void severalLogsEachWithItsFormatAndFilterAndRotation() throws Exception {
        Path dir = Files.createTempDirectory("access-logs");
        Path all = dir.resolve("all.log");
        Path errors = dir.resolve("errors.json");
        try (TestUpstream up = new TestUpstream("up");
             ProxyHarness proxy = new ProxyHarness(ProxyHarness.singleRoute("""
                     tracing: {provider: memory, service_name: access-log-test}
                           access_log:
                             - path: %s
                               format: '%%REQ(:METHOD)%% %%REQ(:PATH)%% %%RESPONSE_CODE%% %%UPSTREAM_REQUEST_ATTEMPT_COUNT%% %%TRACE_ID%%'
                             - path: %s
                               log_format: {json_format: {code: "%%RESPONSE_CODE%%", path: "%%REQ(:PATH)%%", flags: "%%RESPONSE_FLAGS%%", trace: "%%TRACE_ID%%"}}
                               filter: {status_code_filter: {op: ge, value: 500}}""".formatted(all, errors), up.port()), 1)) {
            proxy.get("/ok");
            proxy.get("/status/503");
            proxy.get("/status/404");
            List<String> lines = await(all, 3);
            assertEquals(3, lines.size(), lines.toString());
            assertTrue(lines.get(0).matches("GET /ok 200 1 [0-9a-f]{32}"), lines.get(0));
            assertTrue(lines.get(1).startsWith("GET /status/503 503 1 "), lines.get(1));
            List<String> json = await(errors, 1);
            assertEquals(1, json.size(), "only the 5xx: " + json);
            JsonLine e = JsonLine.parse(json.getFirst());
            assertEquals(503, e.getInteger("code"), "a lone operator keeps its type");
            assertEquals("/status/503", e.getString("path"));
            assertEquals(lines.get(1).substring(lines.get(1).lastIndexOf(' ') + 1), e.getString("trace"), "both logs name the same trace");

            // logrotate: rename, then SIGUSR1 (what reopenLogs does); the next lines go to a new file.
            Files.move(all, dir.resolve("all.log.1"));
            proxy.engine.proxy().reopenLogs();
            proxy.get("/after");
            List<String> fresh = await(all, 1);
            assertEquals(1, fresh.size(), fresh.toString());
            assertTrue(fresh.getFirst().startsWith("GET /after 200"), fresh.getFirst());
            assertEquals(3, Files.readAllLines(dir.resolve("all.log.1")).size());
        }
    }

    @Test
    void aTextFormatSeesTheRequestIdTheProxyGenerated() throws Exception {
        Path log = Files.createTempFile("access", ".log");
        try (TestUpstream up = new TestUpstream("up");
             ProxyHarness proxy = new ProxyHarness("""
                     listeners:
                       - name: text
                         address: 127.0.0.1
                         port: ${PORT}
                         http:
                           access_log: {path: %s, format: '%%REQ(:METHOD)%% %%REQ(:PATH)%% %%RESPONSE_CODE%% "%%REQ(X-REQUEST-ID)%%" %%REQ(X-MISSING)%%'}
                           route_config:
                             virtual_hosts: [{name: all, domains: ["*"], routes: [{match: {prefix: "/"}, route: {cluster: up}}]}]
                     clusters:
                       - {name: up, endpoints: [{address: 127.0.0.1, port: %d}]}
                     """.formatted(log, up.port()), 1)) {
            var r = proxy.get("/generated");
            String sentUp = r.body().lines().filter(l -> l.startsWith("h:x-request-id=")).findFirst().orElseThrow().substring(15);
            proxy.get("/given", "x-request-id", "rid-7");
            List<String> lines = List.of();
            for (int i = 0; i < 100 && lines.size() < 2; i++) {
                Thread.sleep(50);
                lines = Files.readAllLines(log);
            }
            assertEquals(List.of("GET /generated 200 \"" + sentUp + "\" -", "GET /given 200 \"rid-7\" -"), lines);
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
