package yastack.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import yastack.kernel.fixtures.FreePorts;
import yastack.proxy.fixtures.ProxyHarness;
import yastack.proxy.fixtures.TestUpstream;

/**
 * Request mirroring through the real proxy: a route's copies reach the shadow cluster with the
 * method, target, fields (the host marked {@code -shadow}) and body, while the client gets the
 * primary's answer; a body over the limit, a route mirroring 0%, and a shadow that is down mirror
 * nothing or fail without the client noticing, and are counted.
 */
class RequestMirrorTest {
    static TestUpstream primary;
    static HttpServer shadow;
    static final BlockingQueue<String> shadowSaw = new LinkedBlockingQueue<>();
    static ProxyHarness proxy;
    static final HttpClient client = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        primary = new TestUpstream("primary");
        shadow = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        shadow.createContext("/", ex -> {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            shadowSaw.add(ex.getRequestMethod() + " " + ex.getRequestURI() + " host=" + ex.getRequestHeaders().getFirst("Host")
                    + " body=" + body);
            ex.sendResponseHeaders(500, -1); // the shadow's answer must not matter
            ex.close();
        });
        shadow.start();
        proxy = new ProxyHarness(ProxyHarness.listenerWithRoutes("", """
                - {match: {prefix: "/never"}, route: {cluster: primary, request_mirror_policies: [{cluster: shadow, percent: 0}]}}
                - {match: {prefix: "/lost"}, route: {cluster: primary, request_mirror_policies: [{cluster: gone}]}}
                - {match: {prefix: "/"}, route: {cluster: primary, prefix_rewrite: "/v2/", request_mirror_policies: [{cluster: shadow}]}}
                """) + """
                clusters:
                  - {name: primary, endpoints: [{address: 127.0.0.1, port: %d}]}
                  - {name: shadow, endpoints: [{address: 127.0.0.1, port: %d}]}
                  - {name: gone, endpoints: [{address: 127.0.0.1, port: %d}]}
                """.formatted(primary.port(), shadow.getAddress().getPort(), FreePorts.next()), 1);
    }

    @AfterAll
    static void stop() {
        if (proxy != null) proxy.close();
        if (shadow != null) shadow.stop(0);
        if (primary != null) primary.close();
    }

    private static HttpResponse<String> send(String method, String path, String body) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.port + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void copiesReachTheShadowWithTheirBodyWhileTheClientGetsThePrimary() throws Exception {
        shadowSaw.clear();
        HttpResponse<String> r = send("GET", "/items?id=1", null);
        assertEquals(200, r.statusCode());
        assertTrue(r.body().contains("upstream=primary"), r.body());
        assertEquals("GET /v2/items?id=1 host=127.0.0.1-shadow:" + proxy.port + " body=", shadowSaw.poll(10, TimeUnit.SECONDS),
                "the upstream request, rewritten as the primary gets it, with Envoy's -shadow host");
        assertEquals(200, send("POST", "/orders", "one order").statusCode());
        assertEquals("POST /v2/orders host=127.0.0.1-shadow:" + proxy.port + " body=one order", shadowSaw.poll(10, TimeUnit.SECONDS));
        assertEquals(2, proxy.awaitStat("cluster.shadow.upstream_rq_mirrored", 2));
    }

    @Test
    void bigBodiesZeroPercentAndADeadShadowMirrorNothingAndTheClientDoesNotNotice() throws Exception {
        shadowSaw.clear();
        assertEquals(200, send("POST", "/big", "x".repeat(RequestMirror.BODY_LIMIT + 1)).statusCode());
        assertEquals(1, proxy.awaitStat("cluster.shadow.upstream_rq_mirror_body_too_large", 1));
        assertEquals(200, send("GET", "/never/x", null).statusCode());
        assertEquals(200, send("GET", "/lost/x", null).statusCode());
        assertEquals(1, proxy.awaitStat("cluster.gone.upstream_rq_mirror_failed", 1));
        Thread.sleep(200);
        assertEquals(null, shadowSaw.poll(), "nothing reached the shadow");
    }

    @Test
    void shadowHostsKeepTheirPort() {
        assertEquals("api.test-shadow", RequestMirror.shadowHost("api.test"));
        assertEquals("api.test-shadow:8080", RequestMirror.shadowHost("api.test:8080"));
        assertEquals("[::1]-shadow:8080", RequestMirror.shadowHost("[::1]:8080"));
    }
}
