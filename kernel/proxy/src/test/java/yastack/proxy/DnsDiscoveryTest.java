package yastack.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import yastack.proxy.fixtures.Dnsmasq;
import yastack.proxy.fixtures.ProxyHarness;
import yastack.proxy.fixtures.TestUpstream;
import yastack.proxy.fixtures.UpstreamSpread;

/**
 * strict_dns and logical_dns clusters against a real DNS server (dnsmasq, re-reading its
 * hosts file): records added and removed, TTLs honoured, a name gone, the server down.
 */
class DnsDiscoveryTest {
    private static final String NAME = "api." + Dnsmasq.DOMAIN;

    @TempDir
    Path dir;
    Dnsmasq dns;
    TestUpstream b;
    TestUpstream c;
    ProxyHarness proxy;

    @BeforeEach
    void start() throws Exception {
        dns = new Dnsmasq(dir, 1);
        int port = ProxyHarness.freePort();
        b = new TestUpstream("b", "127.0.0.2", port);
        c = new TestUpstream("c", "127.0.0.3", port);
        dns.hosts("127.0.0.2 " + NAME + "\n");
        proxy = new ProxyHarness(ProxyHarness.listenerWithRoutes("", """
                - {match: {prefix: /s/}, route: {cluster: strict, prefix_rewrite: /}}
                - {match: {prefix: /l/}, route: {cluster: logical, prefix_rewrite: /}}
                - {match: {prefix: /f/}, route: {cluster: fast, prefix_rewrite: /}}
                """) + """
                clusters:
                  - name: strict
                    type: strict_dns
                    dns_refresh_rate: 60s      # only the 1 s TTL makes it look again in time
                    respect_dns_ttl: true
                    dns_lookup_family: v4_only
                    dns_resolvers: ["%1$s"]
                    endpoints: [{address: %2$s, port: %3$d}]
                  - name: fast
                    type: strict_dns
                    dns_refresh_rate: 1s
                    dns_resolvers: ["%1$s"]
                    endpoints: [{address: %2$s, port: %3$d}]
                  - name: logical
                    type: logical_dns
                    dns_refresh_rate: 1s
                    dns_resolvers: ["%1$s"]
                    idle_timeout: 60s
                    endpoints: [{address: %2$s, port: %3$d}]
                """.formatted(dns.resolver(), NAME, port), 2);
    }

    @AfterEach
    void stop() throws Exception {
        if (proxy != null) proxy.close();
        dns.close();
        b.close();
        c.close();
    }

    private List<String> endpoints(String cluster) {
        return proxy.engine.clusters().get(cluster).endpoints().stream().map(e -> e.connectHost()).toList();
    }

    @Test
    void strictDnsFollowsTheRecordsAndKeepsTheLastAnswerWhenDnsIsDown() throws Exception {
        // The first answer was there before the listener took traffic.
        assertEquals(Set.of("b"), UpstreamSpread.of(proxy::get, "/s/x", 6));
        assertEquals(List.of("127.0.0.2"), endpoints("strict"));

        dns.hosts("127.0.0.2 " + NAME + "\n127.0.0.3 " + NAME + "\n");
        UpstreamSpread.await(proxy::get, "/s/x", Set.of("b", "c"), dns::log);

        // b leaves DNS while requests to it are in flight: they finish, new ones go to c.
        List<CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            inFlight.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return proxy.get("/s/delay/2000");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        Thread.sleep(300);
        dns.hosts("127.0.0.3 " + NAME + "\n");
        UpstreamSpread.await(proxy::get, "/s/x", Set.of("c"), dns::log);
        Set<String> answeredBy = new HashSet<>();
        for (var f : inFlight) {
            HttpResponse<String> r = f.get(10, TimeUnit.SECONDS);
            assertEquals(200, r.statusCode(), r.body());
            answeredBy.add(r.headers().firstValue("x-upstream").orElse("?"));
        }
        assertTrue(answeredBy.contains("b"), "a request in flight to the removed endpoint finished: " + answeredBy);
        assertEquals(List.of("127.0.0.3"), endpoints("strict"));

        // The DNS server goes down: lookups fail and are counted; the last answer keeps serving.
        long failures = proxy.stat("cluster.strict.update_failure");
        dns.stop();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (proxy.stat("cluster.strict.update_failure") == failures && System.nanoTime() < deadline) Thread.sleep(50);
        assertTrue(proxy.stat("cluster.strict.update_failure") > failures, "a failed lookup is counted");
        assertEquals(Set.of("c"), UpstreamSpread.of(proxy::get, "/s/x", 6));
        assertEquals(List.of("127.0.0.3"), endpoints("strict"));
        assertTrue(proxy.stat("cluster.strict.membership_change") >= 2);
    }

    @Test
    void aNameThatGoesAwayEmptiesTheClusterUntilItIsBack() throws Exception {
        assertEquals(Set.of("b"), UpstreamSpread.of(proxy::get, "/f/x", 4));
        // NXDOMAIN: an empty answer (Envoy's too), so no endpoint to send to.
        long empties = proxy.stat("cluster.fast.update_empty");
        dns.hosts("");
        UpstreamSpread.await(proxy::get, "/f/x", Set.of("status 503"), dns::log);
        assertTrue(proxy.stat("cluster.fast.update_empty") > empties);
        assertEquals(List.of(), endpoints("fast"));
        dns.hosts("127.0.0.3 " + NAME + "\n");
        UpstreamSpread.await(proxy::get, "/f/x", Set.of("c"), dns::log);
    }

    @Test
    void logicalDnsSendsNewConnectionsToTheNewAddress() throws Exception {
        assertEquals(Set.of("b"), UpstreamSpread.of(proxy::get, "/l/x", 4));
        dns.hosts("127.0.0.3 " + NAME + "\n");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!endpoints("logical").equals(List.of("127.0.0.3")) && System.nanoTime() < deadline) Thread.sleep(50);
        assertEquals(List.of("127.0.0.3"), endpoints("logical"), "still one endpoint, at the new address");
        // Pooled connections to b stay; concurrent requests need new connections, which go to c.
        Set<String> seen = new HashSet<>();
        for (int round = 0; round < 5 && !seen.contains("c"); round++) {
            List<CompletableFuture<HttpResponse<String>>> burst = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                burst.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return proxy.get("/l/delay/200");
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }));
            }
            for (var f : burst) seen.add(f.get(10, TimeUnit.SECONDS).headers().firstValue("x-upstream").orElse("?"));
        }
        assertTrue(seen.contains("c"), "new connections go to the new address: " + seen);
    }
}
