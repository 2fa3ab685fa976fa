package yastack.proxy;

import yastack.proxy.fixtures.ProxyHarness;
import yastack.proxy.fixtures.TestUpstream;
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
}
