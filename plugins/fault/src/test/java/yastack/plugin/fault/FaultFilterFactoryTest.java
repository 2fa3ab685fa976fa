package yastack.plugin.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Struct;
import com.google.protobuf.util.JsonFormat;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import yastack.api.ConfiguredHttpFilter;
import yastack.api.FilterResult;
import yastack.api.HttpFilter;
import yastack.api.PluginConfig;
import yastack.api.PluginConfigException;
import yastack.api.testkit.TestContext;
import yastack.api.testkit.TestRequest;
import yastack.api.testkit.TestStream;
import yastack.api.testkit.TestSummary;

class FaultFilterFactoryTest {
    private final TestContext ctx = new TestContext("fault");

    private ConfiguredHttpFilter filter(String json) throws Exception {
        Struct.Builder b = Struct.newBuilder();
        JsonFormat.parser().merge(json, b);
        return new FaultFilterFactory().create(PluginConfig.of(b.build()), ctx);
    }

    @Test
    void aDelayHoldsTheRequestOnTheWorkersTimerThenAnAbortAnswersIt() throws Exception {
        ConfiguredHttpFilter f = filter("""
                {"delay": {"fixed_delay": "2s"}, "abort": {"http_status": 503}}""");
        TestStream stream = new TestStream();
        HttpFilter one = f.newStreamFilter(stream);
        CompletableFuture<FilterResult> later = ((FilterResult.Async) one.onRequestHeaders(stream, new TestRequest("GET", "/")))
                .stage().toCompletableFuture();
        assertEquals(1, ctx.stat("active_faults"));
        stream.testWorker().advance(Duration.ofMillis(1999));
        assertFalse(later.isDone(), "not before the delay");
        stream.testWorker().advance(Duration.ofMillis(1));
        FilterResult.Respond r = (FilterResult.Respond) later.getNow(null);
        assertEquals(503, r.reply().status());
        assertEquals("fault filter abort", r.reply().body());
        one.onComplete(stream, new TestSummary(503, 0, 0, 0, "", null, true, false, new TestRequest("GET", "/")));
        assertEquals(0, ctx.stat("active_faults"));
        assertEquals(1, ctx.stat("delays_injected"));
        assertEquals(1, ctx.stat("aborts_injected"));
    }

    @Test
    void headersAskForFaultsWhenTheConfigLetsThemAndPercentagesAndLimitsHold() throws Exception {
        ConfiguredHttpFilter f = filter("""
                {"abort": {"header_abort": true}, "header": "x-chaos", "max_active_faults": 1}""");
        TestStream stream = new TestStream();
        assertEquals(FilterResult.proceed(), f.newStreamFilter(stream).onRequestHeaders(stream,
                new TestRequest("GET", "/").header("x-envoy-fault-abort-request", "418")), "without the x-chaos header");
        HttpFilter first = f.newStreamFilter(stream);
        FilterResult r = first.onRequestHeaders(stream, new TestRequest("GET", "/").header("x-chaos", "1")
                .header("x-envoy-fault-abort-request", "418"));
        assertEquals(418, ((FilterResult.Respond) r).reply().status());
        assertEquals(FilterResult.proceed(), f.newStreamFilter(stream).onRequestHeaders(stream, new TestRequest("GET", "/")
                .header("x-chaos", "1").header("x-envoy-fault-abort-request", "500")), "one fault at a time");
        assertEquals(1, ctx.stat("faults_overflow"));
        first.onComplete(stream, new TestSummary(503, 0, 0, 0, "", null, true, false, new TestRequest("GET", "/")));

        ConfiguredHttpFilter never = filter("""
                {"abort": {"http_status": 500, "percentage": 0}}""");
        for (int i = 0; i < 100; i++) {
            assertEquals(FilterResult.proceed(), never.newStreamFilter(stream).onRequestHeaders(stream, new TestRequest("GET", "/")));
        }
    }

    @Test
    void badConfigsNameTheField() {
        PluginConfigException e = assertThrows(PluginConfigException.class, () -> filter("{}"));
        assertTrue(e.getMessage().contains("give delay, abort or both"), e.getMessage());
        e = assertThrows(PluginConfigException.class, () -> filter("""
                {"abort": {"http_status": 503, "percentage": 120}}"""));
        assertTrue(e.getMessage().startsWith("config.abort.percentage:"), e.getMessage());
        e = assertThrows(PluginConfigException.class, () -> filter("""
                {"delay": {"fixed_delay": "1s", "header_delay": true}}"""));
        assertTrue(e.getMessage().startsWith("config.delay:"), e.getMessage());
    }
}
