package yastack.plugin.extauthz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Struct;
import com.google.protobuf.util.JsonFormat;
import java.util.concurrent.TimeoutException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
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

class ExtAuthzFilterFactoryTest {
    private final TestContext ctx = new TestContext("ext_authz");
    private final AtomicReference<ClusterCalls.Request> sent = new AtomicReference<>();
    private final AtomicReference<String> calledCluster = new AtomicReference<>();

    private static PluginConfig config(String json) throws Exception {
        Struct.Builder b = Struct.newBuilder();
        JsonFormat.parser().merge(json, b);
        return PluginConfig.of(b.build());
    }

    /** Runs {@code request} through the filter against a service that answers {@code answer}; the decision. */
    private FilterResult decide(String json, TestRequest request, CompletableFuture<ClusterCalls.Response> answer) throws Exception {
        TestStream stream = new TestStream().remote("203.0.113.9", 40000).calls((cluster, r, worker) -> {
            calledCluster.set(cluster);
            sent.set(r);
            return answer;
        });
        HttpFilter f = new ExtAuthzFilterFactory().create(config(json), ctx).newStreamFilter(stream);
        FilterResult r = f.onRequestHeaders(stream, request);
        FilterResult.Async pending = (FilterResult.Async) r;
        assertEquals(1, stream.testWorker().runReady(), "the decision is made on the stream's worker");
        return pending.stage().toCompletableFuture().getNow(null);
    }

    @Test
    void aPassingCheckLetsTheRequestThroughWithTheHeadersTheServiceAdds() throws Exception {
        TestRequest request = new TestRequest("POST", "/orders?id=7").header("Host", "shop.test")
                .header("Authorization", "Bearer good").header("X-Other", "not sent");
        FilterResult r = decide("""
                {"cluster": "auth", "path_prefix": "/verify", "allowed_upstream_headers": ["x-user"]}""", request,
                CompletableFuture.completedFuture(new ClusterCalls.Response(200, Map.of("X-User", "alice", "X-Secret", "kept"), "")));
        assertEquals(FilterResult.proceed(), r);
        assertEquals("auth", calledCluster.get());
        ClusterCalls.Request check = sent.get();
        assertEquals("POST", check.method());
        assertEquals("/verify/orders?id=7", check.path());
        assertEquals("", check.body(), "the body is not sent");
        assertEquals("Bearer good", check.headers().get("authorization"));
        assertNull(check.headers().get("x-other"));
        assertEquals("shop.test", check.headers().get("x-forwarded-host"));
        assertEquals("/orders?id=7", check.headers().get("x-forwarded-uri"));
        assertEquals("203.0.113.9", check.headers().get("x-forwarded-for"));
        assertEquals("alice", request.headers().get("x-user"));
        assertNull(request.headers().get("x-secret"), "only allowed_upstream_headers reach the upstream");
        assertEquals(1, ctx.stat("ok"));
    }

    @Test
    void aRefusalIsTheServicesAnswer() throws Exception {
        FilterResult r = decide("""
                {"cluster": "auth"}""", new TestRequest("GET", "/"),
                CompletableFuture.completedFuture(new ClusterCalls.Response(401,
                        Map.of("www-authenticate", "Bearer realm=\"shop\"", "content-type", "application/json", "content-length", "19"),
                        "{\"error\":\"expired\"}")));
        LocalReply reply = ((FilterResult.Respond) r).reply();
        assertEquals(401, reply.status());
        assertEquals("{\"error\":\"expired\"}", reply.body());
        assertEquals("application/json", reply.contentType());
        assertEquals("Bearer realm=\"shop\"", reply.header("www-authenticate"));
        assertNull(reply.header("content-length"), "the proxy frames the reply itself");
        assertEquals(1, ctx.stat("denied"));
    }

    @Test
    void aFailedCallIsAnsweredWithStatusOnErrorOrLetThroughInFailureModeAllow() throws Exception {
        CompletableFuture<ClusterCalls.Response> timedOut = CompletableFuture.failedFuture(new TimeoutException("request timed out"));
        FilterResult r = decide("""
                {"cluster": "auth", "status_on_error": 503}""", new TestRequest("GET", "/"), timedOut);
        assertEquals(503, ((FilterResult.Respond) r).reply().status());
        assertEquals(FilterResult.proceed(), decide("""
                {"cluster": "auth", "failure_mode_allow": true}""", new TestRequest("GET", "/"), timedOut));
        assertEquals(2, ctx.stat("error"));
        assertEquals(1, ctx.stat("failure_mode_allowed"));
    }

    @Test
    void badConfigsNameTheField() {
        PluginConfigException e = assertThrows(PluginConfigException.class,
                () -> new ExtAuthzFilterFactory().validate(config("{\"path_prefix\": \"/v\"}")));
        assertTrue(e.getMessage().contains("cluster"), e.getMessage());
        e = assertThrows(PluginConfigException.class,
                () -> new ExtAuthzFilterFactory().validate(config("{\"cluster\": \"a\", \"path_prefix\": \"verify/\"}")));
        assertTrue(e.getMessage().startsWith("config.path_prefix:"), e.getMessage());
        e = assertThrows(PluginConfigException.class,
                () -> new ExtAuthzFilterFactory().validate(config("{\"cluster\": \"a\", \"status_on_error\": 99}")));
        assertTrue(e.getMessage().contains("status_on_error"), e.getMessage());
    }
}
