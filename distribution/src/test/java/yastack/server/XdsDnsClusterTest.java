package yastack.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static yastack.server.XdsFixture.CDS;
import static yastack.server.XdsFixture.NODE;
import static yastack.server.XdsFixture.RDS;

import com.google.protobuf.Any;
import com.google.protobuf.util.Durations;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.core.v3.TypedExtensionConfig;
import io.envoyproxy.envoy.extensions.network.dns_resolver.cares.v3.CaresDnsResolverConfig;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
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
import yastack.dist.Envoy;
import yastack.proxy.fixtures.Dnsmasq;
import yastack.proxy.fixtures.ProxyHarness;
import yastack.proxy.fixtures.TestUpstream;
import yastack.proxy.fixtures.UpstreamSpread;

/**
 * STRICT_DNS and LOGICAL_DNS clusters pushed by a real control plane (java-control-plane),
 * resolved against a real DNS server (dnsmasq, as the static path's DNS tests use) whose
 * records change while traffic flows.
 */
class XdsDnsClusterTest {
    private static final String NAME = "api." + Dnsmasq.DOMAIN;
    @TempDir
    Path dir;
    private Dnsmasq dns;
    private XdsFixture xds;
    private TestUpstream b;
    private TestUpstream c;
    private int upstreamPort;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeEach
    void start() throws Exception {
        dns = new Dnsmasq(dir, 1);
        upstreamPort = ProxyHarness.freePort();
        b = new TestUpstream("b", "127.0.0.2", upstreamPort);
        c = new TestUpstream("c", "127.0.0.3", upstreamPort);
        dns.hosts("127.0.0.2 " + NAME + "\n");
        xds = new XdsFixture("GRPC", "");
    }

    @AfterEach
    void stop() throws Exception {
        if (xds != null) xds.close();
        b.close();
        c.close();
        dns.close();
    }

    private Address resolver() {
        return Address.newBuilder().setSocketAddress(SocketAddress.newBuilder().setAddress("127.0.0.1")
                .setPortValue(dns.port).setProtocol(SocketAddress.Protocol.UDP)).build();
    }

    /** A DNS cluster of one name, as a control plane writes it (the name in load_assignment). */
    private Cluster dnsCluster(String name, Cluster.DiscoveryType type) {
        return Cluster.newBuilder().setName(name).setType(type).setConnectTimeout(Durations.fromSeconds(1))
                .setLoadAssignment(Envoy.endpoints(name, NAME, upstreamPort))
                .setDnsRefreshRate(Durations.fromSeconds(1)).setDnsLookupFamily(Cluster.DnsLookupFamily.V4_ONLY).build();
    }

    private void push(String version, List<Cluster> clusters) {
        xds.cp.set(NODE, version, clusters, List.of(), List.of(Envoy.httpListener("web", xds.port, "routes")),
                List.of(routes()));
    }

    /** /s/ to the strict cluster, /l/ to the logical one, each prefix cut off (the upstream sees /x, /delay/200). */
    private static RouteConfiguration routes() {
        VirtualHost.Builder vh = VirtualHost.newBuilder().setName("all").addDomains("*");
        for (String c : List.of("strict", "logical")) {
            vh.addRoutes(Route.newBuilder().setMatch(RouteMatch.newBuilder().setPrefix("/" + c.charAt(0) + "/"))
                    .setRoute(RouteAction.newBuilder().setCluster(c).setPrefixRewrite("/").setTimeout(Durations.fromSeconds(5))));
        }
        return RouteConfiguration.newBuilder().setName("routes").addVirtualHosts(vh).build();
    }

    @Test
    void strictAndLogicalDnsClustersFromCdsFollowTheRecords() throws Exception {
        // One resolver the c-ares way (typed_dns_resolver_config), one the deprecated way Envoy still reads.
        Cluster strict = dnsCluster("strict", Cluster.DiscoveryType.STRICT_DNS).toBuilder()
                .setTypedDnsResolverConfig(TypedExtensionConfig.newBuilder().setName("envoy.network.dns_resolver.cares")
                        .setTypedConfig(Any.pack(CaresDnsResolverConfig.newBuilder().addResolvers(resolver()).build())))
                .build();
        @SuppressWarnings("deprecation")
        Cluster logical = dnsCluster("logical", Cluster.DiscoveryType.LOGICAL_DNS).toBuilder().addDnsResolvers(resolver()).build();
        push("1", List.of(strict, logical));
        xds.cp.awaitAck(CDS, "1");
        xds.cp.awaitAck(RDS, "1");
        assertEquals(Set.of("b"), UpstreamSpread.of(xds::get, "/s/x", 4), "the first answer is there before the cluster serves");
        assertEquals(Set.of("b"), UpstreamSpread.of(xds::get, "/l/x", 4));

        dns.hosts("127.0.0.2 " + NAME + "\n127.0.0.3 " + NAME + "\n");
        UpstreamSpread.await(xds::get, "/s/x", Set.of("b", "c"), dns::log);
        dns.hosts("127.0.0.3 " + NAME + "\n");
        UpstreamSpread.await(xds::get, "/s/x", Set.of("c"), dns::log);
        // logical_dns: pooled connections to b stay; new connections (a concurrent burst needs them) go to c.
        Set<String> seen = new HashSet<>();
        for (int round = 0; round < 20 && !seen.contains("c"); round++) {
            List<CompletableFuture<HttpResponse<String>>> burst = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                burst.add(client.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + xds.port + "/l/delay/200"))
                        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()));
            }
            for (var f : burst) seen.add(f.get(15, TimeUnit.SECONDS).headers().firstValue("x-upstream").orElse("?"));
            if (!seen.contains("c")) Thread.sleep(200);
        }
        assertTrue(seen.contains("c"), "new connections of the LOGICAL_DNS cluster go to the new address: " + seen);
        var stats = xds.proxy.proxy().stats();
        assertTrue(stats.value("cluster.strict.update_success") >= 2, "the DNS cluster's lookups are counted");
        String dump = xds.admin("/config_dump").body();
        assertTrue(dump.contains("STRICT_DNS") && dump.contains("127.0.0.1:" + dns.port), "the dump shows the mapped cluster");
        assertTrue(dump.contains("CaresDnsResolverConfig") && !dump.contains("unprintable"), "and the resource as received: " + dump);
    }

    @Test
    void whatDnsClustersCannotDoIsNackedNamingTheField() throws Exception {
        push("1", List.of(dnsCluster("strict", Cluster.DiscoveryType.STRICT_DNS).toBuilder().addDnsResolvers(resolver()).build(),
                dnsCluster("logical", Cluster.DiscoveryType.LOGICAL_DNS).toBuilder().addDnsResolvers(resolver()).build()));
        xds.cp.awaitAck(CDS, "1");
        Cluster twoNames = dnsCluster("logical", Cluster.DiscoveryType.LOGICAL_DNS).toBuilder()
                .setLoadAssignment(Envoy.endpoints("logical", NAME, upstreamPort, upstreamPort + 1)).build();
        push("2", List.of(dnsCluster("strict", Cluster.DiscoveryType.STRICT_DNS), twoNames));
        DiscoveryRequest nack = xds.cp.await(r -> r.getTypeUrl().equals(CDS) && r.hasErrorDetail(), "a CDS NACK");
        assertEquals("Cluster 'logical': load_assignment.endpoints: a LOGICAL_DNS cluster has exactly one endpoint (one name), got 2",
                nack.getErrorDetail().getMessage());
        Cluster failureRate = dnsCluster("strict", Cluster.DiscoveryType.STRICT_DNS).toBuilder()
                .setDnsFailureRefreshRate(Cluster.RefreshRate.newBuilder().setBaseInterval(Durations.fromSeconds(1))).build();
        push("3", List.of(failureRate));
        nack = xds.cp.await(r -> r.getTypeUrl().equals(CDS) && r.hasErrorDetail() && r.getErrorDetail().getMessage().contains("'strict'"),
                "a second CDS NACK");
        assertEquals("Cluster 'strict': dns_failure_refresh_rate: not supported", nack.getErrorDetail().getMessage());
        assertEquals(Set.of("b"), UpstreamSpread.of(xds::get, "/s/x", 4), "the last good config keeps serving");
    }
}
