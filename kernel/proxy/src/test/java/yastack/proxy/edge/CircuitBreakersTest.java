package yastack.proxy.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import yastack.proxy.fixtures.ProxyHarness;

/**
 * A cluster's circuit breakers (Envoy's): max_connections makes requests wait for a
 * connection, max_pending_requests bounds the waiting, max_requests bounds what is in flight;
 * overflows are 503 with x-yastack-overloaded: true, counted.
 */
class CircuitBreakersTest extends OneUpstream {
    static ProxyHarness proxy(String breakers) throws Exception {
        return proxy(breakers, 2);
    }

    static ProxyHarness proxy(String breakers, int workers) throws Exception {
        return new ProxyHarness("""
                listeners:
                  - name: web
                    address: 127.0.0.1
                    port: ${PORT}
                    http:
                      route_config:
                        virtual_hosts: [{name: all, domains: ["*"], routes: [{match: {prefix: "/"}, route: {cluster: up}}]}]
                clusters:
                  - {name: up, circuit_breakers: %s, endpoints: [{address: 127.0.0.1, port: %d}]}
                """.formatted(breakers, up.port()), workers);
    }

    /** {@code n} requests for /delay/{@code ms} at once, each on its own connection. */
    static List<HttpResponse<String>> concurrently(ProxyHarness p, int n, int ms) throws Exception {
        List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            // A client of its own each: one connection per request, so only the cluster limits them.
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            all.add(client.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + p.port + "/delay/" + ms))
                    .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString()));
            Thread.sleep(20);
        }
        List<HttpResponse<String>> out = new ArrayList<>();
        for (var f : all) out.add(f.get());
        return out;
    }

    static long overloaded(List<HttpResponse<String>> rs) {
        return rs.stream().filter(r -> r.statusCode() == 503
                && r.headers().firstValue("x-yastack-overloaded").orElse("").equals("true")).count();
    }

    @Test
    void requestsWaitForAConnectionUpToMaxPendingRequests() throws Exception {
        try (ProxyHarness p = proxy("{max_connections: 1, max_pending_requests: 1}")) {
            long t0 = System.nanoTime();
            List<HttpResponse<String>> rs = concurrently(p, 3, 400);
            long ok = rs.stream().filter(r -> r.statusCode() == 200).count();
            assertEquals(2, ok, "one in flight, one waiting for its connection: " + rs);
            assertEquals(1, overloaded(rs), "the third found no waiting slot");
            assertTrue(System.nanoTime() - t0 >= 800_000_000L, "the waiting one went after the first, on its connection");
            assertEquals(1, p.awaitStat("cluster.up.upstream_rq_pending_overflow", 1));
            assertTrue(p.stat("cluster.up.upstream_cx_overflow") >= 2);
            assertTrue(p.stat("cluster.up.upstream_cx_total") <= 2, "at most one connection at a time");
            assertEquals(0, p.awaitStatValue("cluster.up.upstream_rq_pending_active", 0));
        }
    }

    /**
     * As in Envoy, a request waiting for a connection is not yet in flight: max_requests does
     * not refuse it, max_pending_requests bounds it (so on HTTP/1.1 a burst beyond the
     * connections waits instead of getting 503s).
     */
    @Test
    void requestsWaitingForAConnectionDoNotCountAgainstMaxRequests() throws Exception {
        // One worker: the one connection is its pool's, handed from each request to the next.
        try (ProxyHarness p = proxy("{max_connections: 1, max_requests: 1, max_pending_requests: 5}", 1)) {
            List<HttpResponse<String>> rs = concurrently(p, 3, 300);
            assertEquals(List.of(200, 200, 200), rs.stream().map(HttpResponse::statusCode).toList(), "one at a time, none refused: " + rs.stream().map(HttpResponse::body).toList());
            assertEquals(0, p.stat("cluster.up.upstream_rq_pending_overflow"));
            assertTrue(p.stat("cluster.up.upstream_cx_overflow") >= 2, "two of them waited for the one connection");
            assertEquals(0, p.awaitStatValue("cluster.up.upstream_rq_active", 0));
        }
    }

    /**
     * Two workers share one connection slot: a worker takes it atomically before it connects,
     * so the upstream never sees two at once, and a worker whose request finished gives the
     * slot up to the other worker's waiting request.
     */
    @Test
    void workersNeverOpenMoreThanMaxConnectionsBetweenThem() throws Exception {
        try (ProxyHarness p = proxy("{max_connections: 1, max_requests: 1, max_pending_requests: 10}", 2)) {
            up.mostInFlight.set(0);
            List<HttpResponse<String>> rs = concurrently(p, 6, 150);
            assertEquals(List.of(200, 200, 200, 200, 200, 200), rs.stream().map(HttpResponse::statusCode).toList(),
                    rs.stream().map(HttpResponse::body).toList().toString());
            assertEquals(1, up.mostInFlight.get(), "one connection, so one request at a time");
            assertEquals(0, p.stat("cluster.up.upstream_rq_pending_overflow"));
            assertEquals(0, p.awaitStatValue("cluster.up.upstream_rq_pending_active", 0));
        }
    }

    @Test
    void maxRequestsBoundsWhatIsInFlight() throws Exception {
        try (ProxyHarness p = proxy("{max_requests: 2}")) {
            List<HttpResponse<String>> rs = concurrently(p, 4, 500);
            assertEquals(2, rs.stream().filter(r -> r.statusCode() == 200).count(), rs.toString());
            assertEquals(2, overloaded(rs));
            assertEquals(2, p.awaitStat("cluster.up.upstream_rq_pending_overflow", 2));
            assertEquals(0, p.awaitStatValue("cluster.up.upstream_rq_active", 0));
            assertEquals(200, p.get("/delay/1").statusCode(), "slots come back");
        }
    }
}
