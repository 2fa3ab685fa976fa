package yastack.plugin.accesslog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Year;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import yastack.api.AccessLogger;
import yastack.api.PluginConfig;
import yastack.api.PluginConfigException;
import yastack.api.config.AccessLog;
import yastack.api.config.AccessLogFilter;
import yastack.api.config.ComparisonFilter;
import yastack.api.config.ComparisonOp;
import yastack.api.config.LogFormat;
import yastack.api.config.ResponseFlagFilter;
import yastack.api.config.RuntimeFilter;
import yastack.api.testkit.TestContext;
import yastack.api.testkit.TestRequest;
import yastack.api.testkit.TestResponse;
import yastack.api.testkit.TestStream;
import yastack.api.testkit.TestSummary;

/** Envoy's command operators in text and JSON, filters, and bad formats, through the logger a listener's access_log makes. */
class LogFormatsTest {
    @TempDir
    Path tmp;

    private final TestContext ctx = new TestContext("access-log");

    private List<String> log(AccessLog.Builder cfg, List<TestSummary> summaries, TestStream stream) throws Exception {
        Path file = tmp.resolve("log-" + System.nanoTime() + ".log");
        AccessLogger logger = new FileAccessLoggerFactory().create(PluginConfig.of(cfg.setPath(file.toString()).build(),
                "listeners[0].http.access_log[0]"), ctx);
        for (TestSummary s : summaries) logger.log(stream, s);
        logger.close();
        return Files.exists(file) ? Files.readAllLines(file) : List.of();
    }

    private static TestSummary summary(int status, long durationMs, String flags, String requestId) {
        TestRequest req = new TestRequest("POST", "/orders?id=7").header("host", "shop.test").header("user-agent", "curl/8.0")
                .header("x-request-id", requestId == null ? "rid" : requestId);
        TestResponse res = new TestResponse(status).header("content-type", "application/json");
        return new TestSummary(status, 12, 345, durationMs * 1_000_000, "orders", new InetSocketAddress("10.0.0.9", 8081), false, false,
                req, res, flags, requestId);
    }

    @Test
    void textFormatWithEnvoyOperators() throws Exception {
        TestStream stream = new TestStream().remote("198.51.100.4", 40000).route("orders-route");
        stream.attributes().put("user", "alice");
        List<String> lines = log(AccessLog.newBuilder().setFormat("[%START_TIME(%Y)%] \"%REQ(:METHOD)% %REQ(:PATH)% %PROTOCOL%\" "
                + "%RESPONSE_CODE% %RESPONSE_FLAGS% %BYTES_RECEIVED% %BYTES_SENT% %DURATION% \"%REQ(X-MISSING?USER-AGENT):4%\" "
                + "\"%REQ(x-absent)%\" %RESP(CONTENT-TYPE)% %UPSTREAM_HOST% %UPSTREAM_CLUSTER% %UPSTREAM_REQUEST_ATTEMPT_COUNT% "
                + "%ROUTE_NAME% %FILTER_STATE(user)% %DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT% %REQ(:AUTHORITY)% 100%% %TRACE_ID%"),
                List.of(summary(201, 7, "-", "r1")), stream);
        String year = Integer.toString(Year.now(ZoneOffset.UTC).getValue());
        assertEquals(List.of("[" + year + "] \"POST /orders?id=7 HTTP/1.1\" 201 - 12 345 7 \"curl\" \"-\" application/json "
                + "10.0.0.9:8081 orders 1 orders-route alice 198.51.100.4 shop.test 100% -"), lines);
    }

    @Test
    void startTimeDefaultsToEnvoysFormat() throws Exception {
        String line = log(AccessLog.newBuilder().setFormat("%START_TIME%"), List.of(summary(200, 1, "-", "r")), new TestStream()).getFirst();
        assertTrue(line.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z"), line);
    }

    @Test
    void jsonFormatKeepsTypesAndNests() throws Exception {
        Struct json = Struct.newBuilder()
                .putFields("status", str("%RESPONSE_CODE%"))
                .putFields("path", str("%REQ(:PATH)%"))
                .putFields("missing", str("%RESP(x-nope)%"))
                .putFields("mixed", str("took %DURATION% ms"))
                .putFields("upstream", Value.newBuilder().setStructValue(Struct.newBuilder()
                        .putFields("cluster", str("%UPSTREAM_CLUSTER%"))
                        .putFields("bytes", str("%BYTES_SENT%"))).build())
                .build();
        List<String> lines = log(AccessLog.newBuilder().setLogFormat(LogFormat.newBuilder().setJsonFormat(json)),
                List.of(summary(503, 40, "UF", "r")), new TestStream());
        assertEquals(1, lines.size());
        String l = lines.getFirst();
        assertTrue(l.contains("\"status\":503"), l);
        assertTrue(l.contains("\"path\":\"/orders?id=7\""), l);
        assertTrue(l.contains("\"missing\":null"), l);
        assertTrue(l.contains("\"mixed\":\"took 40 ms\""), l);
        assertTrue(l.contains("\"upstream\":{\"cluster\":\"orders\",\"bytes\":345}"), l);
    }

    @Test
    void filtersChooseTheLines() throws Exception {
        List<TestSummary> all = new ArrayList<>();
        for (int i = 0; i < 10; i++) all.add(summary(i % 2 == 0 ? 200 : 503, i * 100, i % 2 == 0 ? "-" : "UF,URX", "id-" + i));
        AccessLog.Builder errors = AccessLog.newBuilder().setFormat("%REQ(x-request-id)%")
                .setFilter(AccessLogFilter.newBuilder().setStatusCodeFilter(cmp(ComparisonOp.GE, 500)));
        assertEquals(List.of("id-1", "id-3", "id-5", "id-7", "id-9"), log(errors, all, new TestStream()));

        AccessLog.Builder slowErrors = AccessLog.newBuilder().setFormat("%REQ(x-request-id)%")
                .setFilter(AccessLogFilter.newBuilder().setStatusCodeFilter(cmp(ComparisonOp.GE, 500))
                        .setDurationFilter(cmp(ComparisonOp.GE, 500)));
        assertEquals(List.of("id-5", "id-7", "id-9"), log(slowErrors, all, new TestStream()));

        AccessLog.Builder retriesOut = AccessLog.newBuilder().setFormat("%REQ(x-request-id)%")
                .setFilter(AccessLogFilter.newBuilder().setResponseFlagFilter(
                        ResponseFlagFilter.newBuilder().addFlags("URX")));
        assertEquals(5, log(retriesOut, all, new TestStream()).size());

        AccessLog.Builder none = AccessLog.newBuilder().setFormat("x")
                .setFilter(AccessLogFilter.newBuilder().setRuntimeFilter(RuntimeFilter.newBuilder().setPercentSampled(0)));
        assertEquals(List.of(), log(none, all, new TestStream()));
    }

    @Test
    void samplingFollowsTheRequestId() throws Exception {
        List<TestSummary> many = new ArrayList<>();
        for (int i = 0; i < 2000; i++) many.add(summary(200, 1, "-", "request-" + i));
        AccessLog.Builder tenth = AccessLog.newBuilder().setFormat("%REQ(x-request-id)%")
                .setFilter(AccessLogFilter.newBuilder().setRuntimeFilter(RuntimeFilter.newBuilder().setPercentSampled(10)));
        List<String> first = log(tenth, many, new TestStream());
        assertTrue(first.size() > 120 && first.size() < 280, "about 10% of 2000: " + first.size());
        assertEquals(first, log(tenth, many, new TestStream()), "the same request ids are kept by every log");
    }

    @Test
    void badFormatsNameTheField() {
        assertBad(AccessLog.newBuilder().setFormat("%NO_SUCH_THING%"),
                "listeners[0].http.access_log[0].format: unknown command operator %NO_SUCH_THING%");
        assertBad(AccessLog.newBuilder().setFormat("%REQ(host"), "listeners[0].http.access_log[0].format: expected a ) closing %REQ(");
        assertBad(AccessLog.newBuilder().setFormat("%DURATION"), "listeners[0].http.access_log[0].format: expected % closing %DURATION");
        assertBad(AccessLog.newBuilder().setFormat("%START_TIME(%Q)%"), "%START_TIME(%Q)%: unsupported specifier %Q");
        assertBad(AccessLog.newBuilder().setFormat("%REQ()%"), "%REQ(name)% needs a header name");
        assertBad(AccessLog.newBuilder().setFormat("x").setLogFormat(LogFormat.newBuilder().setTextFormat("y")),
                "has format and log_format");
        assertBad(AccessLog.newBuilder().setLogFormat(LogFormat.newBuilder().setJsonFormat(Struct.newBuilder()
                .putFields("a", str("%BYTES_SENT(x)%")))), "log_format.json_format.a: %BYTES_SENT% takes no argument");
    }

    private void assertBad(AccessLog.Builder cfg, String expected) {
        PluginConfigException e = assertThrows(PluginConfigException.class,
                () -> new FileAccessLoggerFactory().validate(PluginConfig.of(cfg.build(), "listeners[0].http.access_log[0]")));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    private static ComparisonFilter cmp(ComparisonOp op, int value) {
        return ComparisonFilter.newBuilder().setOp(op).setValue(value).build();
    }

    private static Value str(String s) {
        return Value.newBuilder().setStringValue(s).build();
    }
}
