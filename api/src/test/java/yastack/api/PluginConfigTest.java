package yastack.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ListValue;
import com.google.protobuf.NullValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PluginConfigTest {
    private static Value s(String v) {
        return Value.newBuilder().setStringValue(v).build();
    }

    private static Value n(double v) {
        return Value.newBuilder().setNumberValue(v).build();
    }

    private static Value b(boolean v) {
        return Value.newBuilder().setBoolValue(v).build();
    }

    private static Value list(Value... vs) {
        return Value.newBuilder().setListValue(ListValue.newBuilder().addAllValues(List.of(vs))).build();
    }

    private static Value map(Map<String, Value> m) {
        return Value.newBuilder().setStructValue(Struct.newBuilder().putAllFields(m)).build();
    }

    private final PluginConfig cfg = PluginConfig.of(Struct.newBuilder().putAllFields(Map.of(
            "max_tokens", n(5),
            "ratio", n(0.25),
            "fill_interval", s("60s"),
            "short", s("250ms"),
            "seconds", n(1.5),
            "enabled", b(true),
            "name", s("edge"),
            "origins", list(s("https://a.example"), s("https://b.example")),
            "limits", list(map(Map.of("key", s("client_ip"), "max_tokens", n(2.5)))),
            "nothing", Value.newBuilder().setNullValue(NullValue.NULL_VALUE).build())).build(), "listeners[0].http.filters[1].config");

    @Test
    void typedAccessors() throws Exception {
        assertEquals(5, cfg.requireInteger("max_tokens"));
        assertEquals(0.25, cfg.number("ratio", 0));
        assertEquals(Duration.ofSeconds(60), cfg.requireDuration("fill_interval"));
        assertEquals(Duration.ofMillis(250), cfg.duration("short", null));
        assertEquals(Duration.ofMillis(1500), cfg.duration("seconds", null));
        assertTrue(cfg.bool("enabled", false));
        assertEquals("edge", cfg.requireString("name"));
        assertEquals("5", cfg.requireString("max_tokens"));
        assertEquals(List.of("https://a.example", "https://b.example"), cfg.strings("origins"));
        assertEquals(List.of("edge"), cfg.strings("name"));
        assertEquals("client_ip", cfg.objects("limits").getFirst().requireString("key"));
        assertFalse(cfg.has("nothing"));
        assertEquals(7, cfg.integer("nothing", 7));
        assertEquals(Duration.ofMinutes(1), PluginConfig.parseDuration("1m"));
        assertEquals(Duration.ofMinutes(90), PluginConfig.parseDuration("1.5h"));
        assertEquals(Duration.ofNanos(10_000), PluginConfig.parseDuration("10us"));
    }

    @Test
    void errorsNameTheField() {
        String p = "listeners[0].http.filters[1].config.";
        assertEquals(p + "ratio: expected an integer, got the number 0.25",
                assertThrows(PluginConfigException.class, () -> cfg.requireInteger("ratio")).getMessage());
        assertEquals(p + "name: \"edge\" is not a duration; write e.g. 250ms, 60s, 5m, 1h",
                assertThrows(PluginConfigException.class, () -> cfg.requireDuration("name")).getMessage());
        assertEquals(p + "limits[0].max_tokens: expected an integer, got the number 2.5",
                assertThrows(PluginConfigException.class, () -> cfg.objects("limits").getFirst().requireInteger("max_tokens")).getMessage());
        assertEquals(p + "missing: required field is missing",
                assertThrows(PluginConfigException.class, () -> cfg.requireString("missing")).getMessage());
        assertEquals(p + "enabled: expected a map, got the boolean true",
                assertThrows(PluginConfigException.class, () -> cfg.object("enabled")).getMessage());
        assertTrue(assertThrows(PluginConfigException.class, () -> cfg.requireOnly("max_tokens"))
                .getMessage().contains("unknown field"));
    }

    @Test
    void localReplyAndDecisions() {
        LocalReply r = LocalReply.of(429, "slow down\n").withHeader("retry-after", "3");
        assertEquals("3", r.header("Retry-After"));
        assertEquals("text/plain", r.contentType());
        assertThrows(IllegalArgumentException.class, () -> LocalReply.of(42));
        assertEquals(RouteDecision.forward("api").routeName("r1").timeout(Duration.ofSeconds(2)).build(),
                RouteDecision.toCluster("api").withRouteName("r1").withTimeout(Duration.ofSeconds(2)));
        FlowKey.Ipv4 k = new FlowKey.Ipv4(6, 1, 10, 2, 20);
        assertEquals(new FlowKey.Ipv4(6, 2, 20, 1, 10), k.reversed());
    }
}
