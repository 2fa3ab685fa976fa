package yastack.plugin.jwtauthn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Struct;
import com.google.protobuf.util.JsonFormat;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import yastack.api.ClusterCalls;
import yastack.api.FilterResult;
import yastack.api.HttpFilter;
import yastack.api.LocalReply;
import yastack.api.PluginConfig;
import yastack.api.PluginConfigException;
import yastack.api.testkit.TestContext;
import yastack.api.testkit.TestRequest;
import yastack.api.testkit.TestStream;

class JwtAuthnFilterFactoryTest {
    static final TestIssuer ISSUER;

    static {
        try {
            ISSUER = new TestIssuer();
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final TestContext ctx = new TestContext("jwt_authn");

    private static PluginConfig config(String json) throws Exception {
        Struct.Builder b = Struct.newBuilder();
        JsonFormat.parser().merge(json, b);
        return PluginConfig.of(b.build());
    }

    private static String local(String rules) {
        return """
                {"providers": {"idp": {"issuer": "https://idp.test", "audiences": ["shop"],
                   "local_jwks": {"inline_string": %s},
                   "claim_to_headers": [{"header_name": "x-user", "claim_name": "sub"}]}},
                 "rules": %s}""".formatted(new com.google.gson.Gson().toJson(ISSUER.jwks()), rules);
    }

    private static final String RULES = """
            [{"match": {"prefix": "/health"}},
             {"match": {"prefix": "/api"}, "requires": "idp"},
             {"match": {"prefix": "/maybe"}, "requires": "idp", "allow_missing": true}]""";

    private FilterResult decide(String json, TestRequest request) throws Exception {
        TestStream stream = new TestStream();
        HttpFilter f = new JwtAuthnFilterFactory().create(config(json), ctx).newStreamFilter(stream);
        return f.onRequestHeaders(stream, request);
    }

    private static TestRequest bearer(String path, String token) {
        return new TestRequest("GET", path).header("Host", "shop.test").header("Authorization", "Bearer " + token);
    }

    @Test
    void aTokenSignedByTheProviderPassesWithItsClaimsAsHeaders() throws Exception {
        for (String[] key : new String[][] {{"RS256", "rsa"}, {"ES256", "ec"}, {"EdDSA", "ed"}}) {
            TestRequest r = bearer("/api/orders", ISSUER.token(key[0], key[1], TestIssuer.claims("https://idp.test", "shop", 300)));
            assertEquals(FilterResult.proceed(), decide(local(RULES), r), key[0]);
            assertEquals("alice", r.headers().get("x-user"));
            assertNull(r.headers().get("authorization"), "the token is not forwarded by default");
        }
        assertEquals(3, ctx.stat("allowed"));
    }

    /** What an async decision comes to once the stream's worker has run it (as the kernel resumes it). */
    private static FilterResult settled(TestStream stream, FilterResult r) {
        while (r instanceof FilterResult.Async a) {
            stream.testWorker().runReady();
            r = a.stage().toCompletableFuture().getNow(null);
        }
        return r;
    }

    /** The status, body and challenge the client gets. */
    private String refusal(FilterResult r) {
        LocalReply reply = ((FilterResult.Respond) r).reply();
        return reply.status() + " " + reply.body() + " | " + reply.header("www-authenticate");
    }

    @Test
    void refusalsSayWhyAsEnvoyDoes() throws Exception {
        assertEquals("401 Jwt is missing | Bearer realm=\"http://shop.test/api/x\"",
                refusal(decide(local(RULES), new TestRequest("GET", "/api/x").header("Host", "shop.test"))));
        assertEquals("401 Jwt is expired | Bearer realm=\"http://shop.test/api/x\", error=\"invalid_token\"",
                refusal(decide(local(RULES), bearer("/api/x", ISSUER.token("RS256", "rsa", TestIssuer.claims("https://idp.test", "shop", -3600))))));
        assertTrue(refusal(decide(local(RULES), bearer("/api/x", ISSUER.token("RS256", "rsa", TestIssuer.claims("https://idp.test", "other", 300)))))
                .startsWith("403 Audiences in Jwt are not allowed"));
        assertTrue(refusal(decide(local(RULES), bearer("/api/x", ISSUER.token("RS256", "rsa", TestIssuer.claims("https://evil.test", "shop", 300)))))
                .startsWith("401 Jwt issuer is not configured"));
        TestIssuer other = new TestIssuer();
        assertTrue(refusal(decide(local(RULES), bearer("/api/x", other.token("RS256", "rsa", TestIssuer.claims("https://idp.test", "shop", 300)))))
                .startsWith("401 Jwt verification fails"), "signed by a key the provider does not have");
        assertTrue(refusal(decide(local(RULES), bearer("/api/x", "not.a-token"))).startsWith("401 Jwt is not in the form"));
        String unsigned = "eyJhbGciOiJub25lIn0." + java.util.Base64.getUrlEncoder().withoutPadding()
                .encodeToString(TestIssuer.claims("https://idp.test", "shop", 300).getBytes()) + ".";
        assertTrue(refusal(decide(local(RULES), bearer("/api/x", unsigned))).startsWith("401 Jwt is not in the form"), "alg none has no signature");
        assertEquals(7, ctx.stat("denied"));
    }

    @Test
    void pathsWithoutRequirementsAndAllowMissingLetRequestsThrough() throws Exception {
        assertEquals(FilterResult.proceed(), decide(local(RULES), new TestRequest("GET", "/health")));
        assertEquals(FilterResult.proceed(), decide(local(RULES), new TestRequest("GET", "/elsewhere")), "no rule matches");
        assertEquals(FilterResult.proceed(), decide(local(RULES), new TestRequest("GET", "/maybe/x")));
        assertTrue(refusal(decide(local(RULES), bearer("/maybe/x", "a.b.c"))).startsWith("401"), "a token that is there must verify");
    }

    @Test
    void aRemoteJwksIsFetchedOnceAndCached() throws Exception {
        AtomicInteger fetches = new AtomicInteger();
        String json = """
                {"providers": {"idp": {"issuer": "https://idp.test",
                   "remote_jwks": {"cluster": "idp", "path": "/.well-known/jwks.json", "cache_duration": "10m"}}},
                 "rules": [{"match": {"prefix": "/"}, "requires": "idp"}]}""";
        var filterConfig = new JwtAuthnFilterFactory().create(config(json), ctx);
        for (int i = 0; i < 2; i++) {
            TestStream stream = new TestStream().calls((cluster, request, worker) -> {
                fetches.incrementAndGet();
                assertEquals("idp", cluster);
                assertEquals("/.well-known/jwks.json", request.path());
                return CompletableFuture.completedFuture(new ClusterCalls.Response(200, Map.of(), ISSUER.jwks()));
            });
            FilterResult r = filterConfig.newStreamFilter(stream).onRequestHeaders(stream,
                    bearer("/x", ISSUER.token("ES256", "ec", TestIssuer.claims("https://idp.test", "any", 300))));
            assertEquals(FilterResult.proceed(), r, "round " + i);
        }
        assertEquals(1, fetches.get());
        assertEquals(1, ctx.stat("jwks_fetch_success"));

        var failing = new JwtAuthnFilterFactory().create(config(json), ctx);
        TestStream stream = new TestStream().calls((cluster, request, worker) -> CompletableFuture.failedFuture(new IllegalStateException("down")));
        FilterResult r = failing.newStreamFilter(stream).onRequestHeaders(stream,
                bearer("/x", ISSUER.token("ES256", "ec", TestIssuer.claims("https://idp.test", "any", 300))));
        assertEquals(1, stream.testWorker().runReady());
        FilterResult decided = ((FilterResult.Async) r).stage().toCompletableFuture().getNow(null);
        assertTrue(refusal(decided).startsWith("401 Jwks remote fetch is failed"), refusal(decided));
        assertEquals(1, ctx.stat("jwks_fetch_failed"));
    }

    @Test
    void aKeyTheCachedSetLacksGetsTheSetFetchedAgainAtMostEvery30Seconds() throws Exception {
        AtomicInteger fetches = new AtomicInteger();
        String rsaOnly = ISSUER.jwks().replaceAll("(?s),\\s*\\{\"kty\": \"EC\".*?\\}(?=,)", "");
        assertTrue(!rsaOnly.contains("\"EC\"") && rsaOnly.contains("\"RSA\""), rsaOnly);
        var config = new JwtAuthnFilterFactory().create(config("""
                {"providers": {"idp": {"remote_jwks": {"cluster": "idp", "path": "/jwks"}}},
                 "rules": [{"match": {"prefix": "/"}, "requires": "idp"}]}"""), ctx);
        ClusterCalls rotating = (cluster, request, worker) -> CompletableFuture.completedFuture(
                new ClusterCalls.Response(200, Map.of(), fetches.incrementAndGet() <= 2 ? rsaOnly : ISSUER.jwks()));
        String ecToken = ISSUER.token("ES256", "ec", TestIssuer.claims("https://idp.test", "any", 300));
        TestStream first = new TestStream().calls(rotating);
        assertTrue(refusal(config.newStreamFilter(first).onRequestHeaders(first, bearer("/x", ecToken)))
                .startsWith("401 Jwks doesn't have key to match kid"), "fetched just now: no second fetch");
        assertEquals(1, fetches.get());
        ctx.advanceNanos(31_000_000_000L);
        TestStream later = new TestStream().calls(rotating);
        FilterResult r = settled(later, config.newStreamFilter(later).onRequestHeaders(later, bearer("/x", ecToken)));
        assertTrue(refusal(r).startsWith("401"), "the set fetched again still lacks it");
        assertEquals(2, fetches.get());
        ctx.advanceNanos(31_000_000_000L);
        TestStream rotated = new TestStream().calls(rotating);
        FilterResult ok = settled(rotated, config.newStreamFilter(rotated).onRequestHeaders(rotated, bearer("/x", ecToken)));
        assertEquals(FilterResult.proceed(), ok, "the provider's new key arrives with the refetch");
        assertEquals(3, fetches.get());
    }

    @Test
    void allowMissingOrFailedLetsEveryRequestThroughButOnlyVerifiedClaimsUpstream() throws Exception {
        String rules = """
                [{"match": {"prefix": "/"}, "requires": "idp", "allow_missing_or_failed": true}]""";
        TestRequest bad = bearer("/x", "a.b.c");
        assertEquals(FilterResult.proceed(), decide(local(rules), bad));
        assertNull(bad.headers().get("x-user"));
        TestRequest good = bearer("/x", ISSUER.token("RS256", "rsa", TestIssuer.claims("https://idp.test", "shop", 300)));
        assertEquals(FilterResult.proceed(), decide(local(rules), good));
        assertEquals("alice", good.headers().get("x-user"));
        assertEquals(FilterResult.proceed(), decide(local(rules), new TestRequest("GET", "/x")));
    }

    /** A user's token and a service's: requires_all wants both, each verified by its own provider. */
    @Test
    void requiresAllWantsEveryProvidersToken() throws Exception {
        String json = """
                {"providers": {
                   "idp": {"issuer": "https://idp.test", "local_jwks": {"inline_string": %s},
                           "claim_to_headers": [{"header_name": "x-user", "claim_name": "sub"}]},
                   "svc": {"issuer": "https://svc.test", "remote_jwks": {"cluster": "svc", "path": "/jwks"},
                           "from_headers": [{"name": "x-svc-token"}]}},
                 "rules": [{"match": {"prefix": "/"}, "requires_all": ["idp", "svc"]}]}""".formatted(new com.google.gson.Gson().toJson(ISSUER.jwks()));
        var filterConfig = new JwtAuthnFilterFactory().create(config(json), ctx);
        String user = ISSUER.token("RS256", "rsa", TestIssuer.claims("https://idp.test", "shop", 300));
        String service = ISSUER.token("ES256", "ec", TestIssuer.claims("https://svc.test", "shop", 300));
        // The identity provider answers once the test lets it: a fetch that beat the check would make it synchronous.
        CompletableFuture<Void> answer = new CompletableFuture<>();
        ClusterCalls jwks = (cluster, request, worker) -> answer.thenApplyAsync(
                v -> new ClusterCalls.Response(200, Map.of(), ISSUER.jwks()));
        TestStream stream = new TestStream().calls(jwks);
        TestRequest both = bearer("/x", user).header("x-svc-token", service);
        FilterResult r = filterConfig.newStreamFilter(stream).onRequestHeaders(stream, both);
        assertTrue(r instanceof FilterResult.Async, "the service's keys are fetched first: " + r);
        answer.complete(null);
        // The fetch completes on another thread and hands the check back to the stream's worker.
        for (int i = 0; i < 100 && stream.testWorker().runReady() == 0; i++) Thread.sleep(20);
        assertEquals(FilterResult.proceed(), settled(stream, r));
        assertEquals("alice", both.headers().get("x-user"));
        assertNull(both.headers().get("x-svc-token"), "each provider's token is taken off once verified");
        assertNull(both.headers().get("authorization"));

        TestStream again = new TestStream().calls(jwks);
        assertTrue(refusal(filterConfig.newStreamFilter(again).onRequestHeaders(again, bearer("/x", user)))
                .startsWith("401 Jwt is missing"), "the user's token alone is not enough");
        TestStream swapped = new TestStream().calls(jwks);
        assertTrue(refusal(filterConfig.newStreamFilter(swapped).onRequestHeaders(swapped, bearer("/x", user).header("x-svc-token", user)))
                .startsWith("401 Jwt issuer is not configured"), "the service's place holds the user's token");
        TestStream forged = new TestStream().calls(jwks);
        String otherService = new TestIssuer().token("ES256", "ec", TestIssuer.claims("https://svc.test", "shop", 300));
        FilterResult f = settled(forged, filterConfig.newStreamFilter(forged).onRequestHeaders(forged,
                bearer("/x", user).header("x-svc-token", otherService)));
        assertTrue(refusal(f).startsWith("401 Jwks doesn't have key to match kid") || refusal(f).startsWith("401 Jwt verification fails"),
                refusal(f));

        PluginConfigException e = assertThrows(PluginConfigException.class, () -> new JwtAuthnFilterFactory().validate(config(local("""
                [{"match": {"prefix": "/"}, "requires_all": ["idp"], "requires": "idp"}]"""))));
        assertTrue(e.getMessage().contains("give one of requires, requires_any and requires_all"), e.getMessage());
    }

    @Test
    void badConfigsNameTheField() {
        PluginConfigException e = assertThrows(PluginConfigException.class, () -> new JwtAuthnFilterFactory().validate(config("""
                {"providers": {"idp": {"local_jwks": {"inline_string": "{\\"keys\\": []}"}}}, "rules": [{"match": {"prefix": "/"}}]}""")));
        assertTrue(e.getMessage().startsWith("config.providers.idp.local_jwks: no usable key"), e.getMessage());
        e = assertThrows(PluginConfigException.class, () -> new JwtAuthnFilterFactory().validate(config(local("""
                [{"match": {"prefix": "/"}, "requires": "nobody"}]"""))));
        assertTrue(e.getMessage().contains("no provider named nobody"), e.getMessage());
        e = assertThrows(PluginConfigException.class, () -> new JwtAuthnFilterFactory().validate(config("""
                {"providers": {"idp": {"remote_jwks": {"cluster": "c", "path": "jwks"}}}, "rules": [{"match": {"prefix": "/"}}]}""")));
        assertTrue(e.getMessage().startsWith("config.providers.idp.remote_jwks.path:"), e.getMessage());
    }
}
