package yastack.plugin.accesslog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import yastack.api.AccessLogger;
import yastack.api.ConfiguredHttpFilter;
import yastack.api.HttpFilter;
import yastack.api.PluginConfig;
import yastack.api.PluginConfigException;
import yastack.api.testkit.TestContext;
import yastack.api.testkit.TestRequest;
import yastack.api.testkit.TestResponse;
import yastack.api.testkit.TestStream;
import yastack.api.testkit.TestSummary;

class AccessLogFactoryTest {
    @TempDir
    Path tmp;

    private final TestContext ctx = new TestContext("access-log");

    private ConfiguredHttpFilter create(Path file, String format) throws PluginConfigException {
        Struct.Builder b = Struct.newBuilder().putFields("path", Value.newBuilder().setStringValue(file.toString()).build());
        if (format != null) b.putFields("format", Value.newBuilder().setStringValue(format).build());
        return new AccessLogFactory().create(PluginConfig.of(b.build()), ctx);
    }

    private static void serve(ConfiguredHttpFilter c, String path, int status) {
        TestStream stream = new TestStream().remote("198.51.100.7", 5555).route("api");
        HttpFilter f = c.newStreamFilter(stream);
        TestRequest req = new TestRequest("GET", path).header("user-agent", "curl/8 \"quoted\"").header("host", "example.test");
        f.onRequestHeaders(stream, req);
        TestResponse res = new TestResponse(status).header("content-type", "text/html");
        f.onResponseHeaders(stream, res);
        f.onComplete(stream, new TestSummary(status, 0, 1234, 2_500_000, "web", new InetSocketAddress("10.0.0.3", 8080), false, false, req,
                res, status >= 500 ? "UF" : "-", "rid-7"));
    }

    @Test
    void writesJsonLines() throws Exception {
        Path file = tmp.resolve("logs/access.log");
        ConfiguredHttpFilter c = create(file, null);
        serve(c, "/a?x=1", 200);
        serve(c, "/b", 404);
        c.close();
        List<String> lines = Files.readAllLines(file);
        assertEquals(2, lines.size(), lines.toString());
        String first = lines.getFirst();
        assertTrue(first.startsWith("{\"start_time\":\""), first);
        assertTrue(first.contains("\"listener\":\"edge\",\"method\":\"GET\",\"path\":\"/a\",\"authority\":\"example.test\","
                + "\"protocol\":\"HTTP/1.1\",\"status\":200,\"response_flags\":\"-\",\"bytes_received\":0,\"bytes_sent\":1234,"
                + "\"duration_us\":2500,\"route\":\"api\",\"cluster\":\"web\",\"upstream_host\":\"10.0.0.3:8080\","
                + "\"client\":\"198.51.100.7\",\"request_id\":\"rid-7\",\"user_agent\":\"curl/8 \\\"quoted\\\"\"}"), first);
        assertTrue(lines.get(1).contains("\"status\":404"));
        assertEquals(2, ctx.stat("lines"));
    }

    @Test
    void writesTemplateLines() throws Exception {
        Path file = tmp.resolve("access.txt");
        ConfiguredHttpFilter c = create(file, "%DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT% \"%REQ_METHOD% %REQ_PATH% %PROTOCOL%\" "
                + "%RESPONSE_CODE% %RESPONSE_FLAGS% %BYTES_SENT% %DURATION% \"%RESP(content-type)%\" %UPSTREAM_CLUSTER%");
        serve(c, "/x", 503);
        c.close();
        assertEquals(List.of("198.51.100.7 \"GET /x HTTP/1.1\" 503 UF 1234 2 \"text/html\" web"), Files.readAllLines(file));
    }

    @Test
    void reportsUnopenableFileAsConfigError() throws Exception {
        Path dirInTheWay = Files.createDirectories(tmp.resolve("a-directory"));
        PluginConfigException e = assertThrows(PluginConfigException.class, () -> create(dirInTheWay, null));
        assertTrue(e.getMessage().startsWith("config.path: cannot open"), e.getMessage());
    }

    @Test
    void loggersOfOneFileShareItsWriter() throws Exception {
        Path file = tmp.resolve("shared.log");
        PluginConfig cfg = PluginConfig.of(Struct.newBuilder().putFields("path", Value.newBuilder().setStringValue(file.toString()).build())
                .putFields("format", Value.newBuilder().setStringValue("%REQ_PATH%").build()).build());
        AccessLogger a = new FileAccessLoggerFactory().create(cfg, ctx);
        AccessLogger b = new FileAccessLoggerFactory().create(cfg, ctx);
        TestStream stream = new TestStream();
        a.log(stream, new TestSummary(200, 0, 0, 1, "", null, true, false, new TestRequest("GET", "/a")));
        a.close(); // a reload replaced one listener's logger: the file stays open for the other
        b.log(stream, new TestSummary(200, 0, 0, 1, "", null, true, false, new TestRequest("GET", "/b")));
        b.close();
        assertEquals(List.of("/a", "/b"), Files.readAllLines(file));
    }
}
