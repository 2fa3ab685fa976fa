package yastack.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;
import yastack.api.config.HashPolicy;
import yastack.api.config.RetryPolicy;
import yastack.api.config.RouteConfig;
import yastack.api.testkit.TestRequest;

/** What routers and balancers get from the API: decisions, retry rules, hash keys, request heads. */
class RoutingApiTest {
    @Test
    void decisionsCarryEverythingARouteCanAskFor() {
        RouteDecision.ToCluster d = RouteDecision.forward("api").routeName("r").prefixRewrite("/api/", "/")
                .hostRewrite("internal").hashKey(HashKey.header("x-user")).timeout(Duration.ZERO)
                .retry(RetryRules.of(RetryPolicy.newBuilder().setRetryOn("5xx").build())).build();
        assertEquals("/users?id=1", d.rewritePath("/API/users?id=1"), "the prefix is compared without case");
        assertEquals("/other", d.rewritePath("/other"));
        assertEquals(0, d.timeoutMillis(), "zero: no timeout");
        assertEquals(15_000, RouteDecision.toCluster("api").timeoutMillis(), "Envoy's default");
        assertEquals(d, d.toBuilder().build());
        assertEquals("x", d.withRouteName("x").routeName());
        assertInstanceOf(RouteDecision.NoRoute.class, RouteDecision.noRoute());
        assertNotEquals(RouteDecision.noRoute(), RouteDecision.toCluster("api"), "no route is not a forward");
        assertThrows(IllegalArgumentException.class, () -> RouteDecision.forward("a").timeout(Duration.ofSeconds(-1)).build());
    }

    @Test
    void retryRulesFollowEnvoysRetryOn() {
        RetryRules gateway = RetryRules.of(RetryPolicy.newBuilder().setRetryOn("gateway-error").setNumRetries(3).build());
        assertTrue(gateway.retriesStatus(503) && !gateway.retriesStatus(500));
        assertTrue(gateway.retriesReset() && gateway.retriesConnectFailure() && gateway.retriesTimeout(),
                "an upstream that never answered counts as a gateway error");
        assertEquals(3, gateway.numRetries());
        RetryRules codes = RetryRules.of(RetryPolicy.newBuilder().setRetryOn("retriable-status-codes, connect-failure")
                .addRetriableStatusCodes(409).build());
        assertTrue(codes.retriesStatus(409) && !codes.retriesStatus(503));
        assertTrue(codes.retriesConnectFailure() && !codes.retriesReset());
        assertEquals(1, codes.numRetries(), "one retry by default");
        assertEquals(Duration.ZERO, codes.perTryTimeout());
        assertEquals(Set.of(RetryRules.On.RESET), RetryRules.parse("reset"));
        assertThrows(IllegalArgumentException.class, () -> RetryRules.parse("5xx,teapot"));
    }

    @Test
    void hashKeysFromConfig() {
        assertEquals(HashKey.SOURCE_IP, HashKey.of(HashPolicy.getDefaultInstance()));
        assertEquals(HashKey.cookie("sid"), HashKey.of(HashPolicy.newBuilder().setCookie("sid").build()));
        assertEquals(HashKey.queryParameter("u"), HashKey.of(HashPolicy.newBuilder().setQueryParameter("u").build()));
        assertThrows(IllegalArgumentException.class, () -> HashKey.header(""));
        // Known answers (FNV-1a 64, then splitmix64's finaliser): consistent hashing places keys by
        // these values, so a change would move every key to another endpoint across an upgrade.
        assertEquals(0x02c0bdbf481420f8L, Hashing.hash64("a"));
        assertEquals(0xc499b5f8a721df58L, Hashing.hash64("user-1"));
        assertEquals(0xe0c13ffc340b758fL, Hashing.hash64("caf\u00e9"), "strings hash as their UTF-8 bytes");
        assertTrue(Hashing.hash64("a") != Hashing.hash64("b"));
        for (String k : new String[] {"", "user-42", "caf\u00e9", "\u4e2d\u6587", "emoji \uD83D\uDE00", "lone \uD800 x"}) {
            assertEquals(Hashing.hash64(k.getBytes(StandardCharsets.UTF_8)), Hashing.hash64(k),
                    "a string hashes as its UTF-8 bytes: " + k);
        }
    }

    @Test
    void requestHeadsGiveHostAndQueryParameters() {
        TestRequest r = new TestRequest("GET", "/p?a=1&b=x%20y&c&a=2&d=%zz").header("host", "Example.COM:8080");
        assertEquals("example.com", r.host());
        assertEquals("1", r.queryParameter("a"), "the first value wins");
        assertEquals("x y", r.queryParameter("b"));
        assertEquals("", r.queryParameter("c"));
        assertEquals("%zz", r.queryParameter("d"), "a malformed escape is taken literally");
        assertNull(r.queryParameter("e"));
        assertEquals("[::1]", HttpRequestHead.hostOf("[::1]:80"));
        assertEquals("", HttpRequestHead.hostOf(null));
    }

    @Test
    void pluginConfigsMayBeTypedMessages() throws Exception {
        RouteConfig rc = RouteConfig.newBuilder().build();
        PluginConfig typed = PluginConfig.of(rc, "listeners[0].http.route_config");
        assertEquals(rc, typed.requireMessage(RouteConfig.class));
        assertFalse(PluginConfig.empty().message(RouteConfig.class).isPresent());
        assertEquals("config: expected a RouteConfig, got key/value config",
                assertThrows(PluginConfigException.class, () -> PluginConfig.empty().requireMessage(RouteConfig.class)).getMessage());
    }
}
