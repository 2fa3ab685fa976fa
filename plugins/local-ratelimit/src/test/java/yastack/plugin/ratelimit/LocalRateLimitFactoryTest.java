package yastack.plugin.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import java.util.Map;
import org.junit.jupiter.api.Test;
import yastack.api.ConfiguredHttpFilter;
import yastack.api.FilterResult;
import yastack.api.PluginConfig;
import yastack.api.PluginConfigException;
import yastack.api.testkit.TestContext;
import yastack.api.testkit.TestRequest;
import yastack.api.testkit.TestStream;

class LocalRateLimitFactoryTest {
    private final TestContext ctx = new TestContext("local-ratelimit");

    private static Struct cfg(Map<String, Object> m) {
        Struct.Builder b = Struct.newBuilder();
        m.forEach((k, v) -> b.putFields(k, v instanceof Number n
                ? Value.newBuilder().setNumberValue(n.doubleValue()).build()
                : Value.newBuilder().setStringValue(v.toString()).build()));
        return b.build();
    }

    private ConfiguredHttpFilter filter(Map<String, Object> m) throws PluginConfigException {
        return new LocalRateLimitFactory().create(PluginConfig.of(cfg(m)), ctx);
    }

    private static FilterResult request(ConfiguredHttpFilter f, TestStream s) {
        return f.newStreamFilter(s).onRequestHeaders(s, new TestRequest("GET", "/"));
    }

    @Test
    void allowsMaxTokensThenRepliesTooManyRequestsUntilRefilled() throws Exception {
        ConfiguredHttpFilter f = filter(Map.of("max_tokens", 5, "tokens_per_fill", 1, "fill_interval", "60s"));
        TestStream s = new TestStream();
        for (int i = 0; i < 5; i++) assertEquals(FilterResult.proceed(), request(f, s), "request " + i);
        FilterResult.Respond limited = assertInstanceOf(FilterResult.Respond.class, request(f, s));
        assertEquals(429, limited.reply().status());
        assertEquals("60", limited.reply().header("retry-after"));

        ctx.advanceNanos(45_000_000_000L);
        assertEquals("15", ((FilterResult.Respond) request(f, s)).reply().header("retry-after"));
        ctx.advanceNanos(15_000_000_000L);
        assertEquals(FilterResult.proceed(), request(f, s), "one token after one fill");
        assertInstanceOf(FilterResult.Respond.class, request(f, s));
        ctx.advanceNanos(3_600_000_000_000L);
        for (int i = 0; i < 5; i++) assertEquals(FilterResult.proceed(), request(f, s), "refilled to max only, " + i);
        assertInstanceOf(FilterResult.Respond.class, request(f, s));
        assertEquals(11, ctx.stat("allowed"));
        assertEquals(4, ctx.stat("rate_limited"));
    }

    @Test
    void perClientIpBucketsAreIndependent() throws Exception {
        ConfiguredHttpFilter f = filter(Map.of("max_tokens", 1, "fill_interval", "1s", "key", "client_ip"));
        TestStream a = new TestStream().remote("10.0.0.1", 1000);
        TestStream a2 = new TestStream().remote("10.0.0.1", 2000);
        TestStream b = new TestStream().remote("10.0.0.2", 1000);
        assertEquals(FilterResult.proceed(), request(f, a));
        assertInstanceOf(FilterResult.Respond.class, request(f, a2), "same IP, other port: same bucket");
        assertEquals(FilterResult.proceed(), request(f, b));
        assertEquals(2, ctx.stat("buckets"));
    }

    @Test
    void perRouteBuckets() throws Exception {
        ConfiguredHttpFilter f = filter(Map.of("max_tokens", 1, "fill_interval", "1s", "key", "route"));
        assertEquals(FilterResult.proceed(), request(f, new TestStream().route("a")));
        assertEquals(FilterResult.proceed(), request(f, new TestStream().route("b")));
        assertInstanceOf(FilterResult.Respond.class, request(f, new TestStream().route("a")));
    }

    @Test
    void boundsTheNumberOfBuckets() throws Exception {
        LocalRateLimitFactory.Limiter limiter = new LocalRateLimitFactory.Limiter(
                LocalRateLimitFactory.settings(PluginConfig.of(cfg(Map.of("max_tokens", 2, "fill_interval", "1s",
                        "key", "client_ip", "max_buckets", 3)))), ctx);
        for (int i = 0; i < 10; i++) limiter.check(new TestStream().remote("10.1.0." + i, 1));
        assertEquals(3, limiter.bucketCount());
    }

    @Test
    void rejectsBadConfig() {
        assertEquals("config.fill_interval: required field is missing",
                assertThrows(PluginConfigException.class, () -> filter(Map.of("max_tokens", 5))).getMessage());
        assertEquals("config.key: \"user\" is not one of listener, route, client_ip",
                assertThrows(PluginConfigException.class, () -> filter(Map.of("max_tokens", 5, "fill_interval", "1s", "key", "user"))).getMessage());
        assertEquals("config.max_tokens: must be at least 1",
                assertThrows(PluginConfigException.class, () -> filter(Map.of("max_tokens", 0, "fill_interval", "1s"))).getMessage());
    }
}
