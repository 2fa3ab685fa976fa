package yastack.xds.translate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static yastack.xds.translate.Refusals.address;
import static yastack.xds.translate.Refusals.refused;
import static yastack.xds.translate.Refusals.string;
import static yastack.xds.translate.Refusals.struct;
import static yastack.xds.translate.Refusals.typedStruct;

import com.google.protobuf.Any;
import com.google.protobuf.Struct;
import com.google.protobuf.UInt32Value;
import com.google.protobuf.UInt64Value;
import com.google.protobuf.util.Durations;
import io.envoyproxy.envoy.config.cluster.v3.CircuitBreakers;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.cluster.v3.LoadBalancingPolicy;
import io.envoyproxy.envoy.config.cluster.v3.OutlierDetection;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.DnsResolutionConfig;
import io.envoyproxy.envoy.config.core.v3.DnsResolverOptions;
import io.envoyproxy.envoy.config.core.v3.HealthCheck;
import io.envoyproxy.envoy.config.core.v3.Http1ProtocolOptions;
import io.envoyproxy.envoy.config.core.v3.Http2ProtocolOptions;
import io.envoyproxy.envoy.config.core.v3.Metadata;
import io.envoyproxy.envoy.config.core.v3.RoutingPriority;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.config.core.v3.TypedExtensionConfig;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.extensions.network.dns_resolver.cares.v3.CaresDnsResolverConfig;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsCertificate;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions.ExplicitHttpConfig;
import io.envoyproxy.envoy.type.v3.Int64Range;
import java.util.List;
import org.junit.jupiter.api.Test;
import yastack.api.config.Cluster.DnsLookupFamily;
import yastack.api.config.DiscoveryType;
import yastack.api.config.LbPolicyKind;
import yastack.api.config.SocketFlavor;

@SuppressWarnings("deprecation") // http2_protocol_options and dns_resolvers: deprecated, still sent by control planes
class ClusterTranslatorTest {
    private static final ConfigSource ADS = ConfigSource.newBuilder().setAds(AggregatedConfigSource.getDefaultInstance()).build();

    private static Cluster.Builder eds(String name) {
        return Cluster.newBuilder().setName(name).setType(Cluster.DiscoveryType.EDS)
                .setEdsClusterConfig(Cluster.EdsClusterConfig.newBuilder().setEdsConfig(ADS));
    }

    private static ClusterLoadAssignment hosts(String... hostPorts) {
        LocalityLbEndpoints.Builder g = LocalityLbEndpoints.newBuilder();
        for (String hp : hostPorts) {
            String[] p = hp.split(":");
            g.addLbEndpoints(LbEndpoint.newBuilder().setEndpoint(Endpoint.newBuilder().setAddress(address(p[0], Integer.parseInt(p[1])))));
        }
        return ClusterLoadAssignment.newBuilder().setClusterName("c").addEndpoints(g).build();
    }

    private static Cluster.Builder dns(Cluster.DiscoveryType type, String... hostPorts) {
        return Cluster.newBuilder().setName("d").setType(type).setLoadAssignment(hosts(hostPorts));
    }

    @Test
    void anEdsClusterFieldByField() throws Rejection {
        HealthCheck hc = HealthCheck.newBuilder().setTimeout(Durations.fromSeconds(1)).setInterval(Durations.fromSeconds(5))
                .setUnhealthyThreshold(UInt32Value.of(3)).setHealthyThreshold(UInt32Value.of(2))
                .setHttpHealthCheck(HealthCheck.HttpHealthCheck.newBuilder().setHost("api.internal").setPath("/healthz")
                        .addExpectedStatuses(Int64Range.newBuilder().setStart(200).setEnd(203))).build();
        UpstreamTlsContext tls = UpstreamTlsContext.newBuilder().setSni("api.example").setCommonTlsContext(CommonTlsContext.newBuilder()
                .addAlpnProtocols("h2").setValidationContext(CertificateValidationContext.newBuilder()
                        .setTrustedCa(DataSource.newBuilder().setFilename("/etc/ca.pem")))).build();
        Cluster c = eds("api").setConnectTimeout(Durations.fromMillis(250)).setLbPolicy(Cluster.LbPolicy.RING_HASH)
                .setRingHashLbConfig(Cluster.RingHashLbConfig.newBuilder().setMinimumRingSize(UInt64Value.of(4096)))
                .addHealthChecks(hc)
                .setOutlierDetection(OutlierDetection.newBuilder().setConsecutive5Xx(UInt32Value.of(4))
                        .setBaseEjectionTime(Durations.fromSeconds(10)).setMaxEjectionPercent(UInt32Value.of(50)))
                .setCircuitBreakers(CircuitBreakers.newBuilder().addThresholds(CircuitBreakers.Thresholds.newBuilder()
                        .setPriority(RoutingPriority.DEFAULT).setMaxRetries(UInt32Value.of(7))))
                .setTransportSocket(TransportSocket.newBuilder().setName("envoy.transport_sockets.tls").setTypedConfig(Any.pack(tls)))
                .setHttp2ProtocolOptions(Http2ProtocolOptions.newBuilder().setMaxConcurrentStreams(UInt32Value.of(50)))
                .setMetadata(Metadata.newBuilder().putFilterMetadata("yastack", struct("flavor", string("userspace"))))
                .build();
        ClusterResource r = ClusterTranslator.translate(c);
        var out = r.cluster();
        assertEquals("api", r.edsServiceName(), "no service_name: the cluster's name");
        assertEquals("api", out.getName());
        assertEquals(DiscoveryType.STATIC, out.getType(), "its endpoints come from EDS into the cluster");
        assertEquals(0, out.getEndpointsCount());
        assertEquals(250, Durations.toMillis(out.getConnectTimeout()));
        assertEquals(LbPolicyKind.RING_HASH, out.getLbPolicy().getKind());
        assertEquals(4096, out.getRingSize());
        var h = out.getHealthCheck();
        assertEquals(1, h.getTimeout().getSeconds());
        assertEquals(5, h.getInterval().getSeconds());
        assertEquals(3, h.getUnhealthyThreshold());
        assertEquals(2, h.getHealthyThreshold());
        assertEquals("api.internal", h.getHost());
        assertEquals("/healthz", h.getPath());
        assertEquals(List.of(200, 201, 202), h.getExpectedStatusesList(), "Envoy's ranges are half-open");
        assertEquals(4, out.getOutlierDetection().getConsecutive5Xx());
        assertEquals(10, out.getOutlierDetection().getBaseEjectionTime().getSeconds());
        assertEquals(50, out.getOutlierDetection().getMaxEjectionPercent());
        assertEquals(7, out.getCircuitBreakers().getMaxRetries());
        assertEquals("api.example", out.getTls().getSni());
        assertEquals("/etc/ca.pem", out.getTls().getCa());
        assertEquals(50, out.getHttp2ProtocolOptions().getMaxConcurrentStreams());
        assertEquals(SocketFlavor.USERSPACE, out.getFlavor());
    }

    @Test
    void defaultsAndTheOtherPolicies() throws Rejection {
        var plain = ClusterTranslator.translate(eds("a").setEdsClusterConfig(Cluster.EdsClusterConfig.newBuilder().setEdsConfig(ADS)
                .setServiceName("a-svc")).build());
        assertEquals("a-svc", plain.edsServiceName());
        assertEquals(5, plain.cluster().getConnectTimeout().getSeconds(), "Envoy's default connect timeout");
        assertEquals(LbPolicyKind.ROUND_ROBIN, plain.cluster().getLbPolicy().getKind());
        assertEquals(SocketFlavor.HOST, plain.cluster().getFlavor());
        assertFalse(plain.cluster().hasHealthCheck());
        assertFalse(plain.cluster().hasHttp2ProtocolOptions());
        for (var e : List.of(Cluster.LbPolicy.LEAST_REQUEST, Cluster.LbPolicy.RANDOM, Cluster.LbPolicy.MAGLEV)) {
            assertEquals(e.name(), ClusterTranslator.translate(eds("a").setLbPolicy(e).build()).cluster().getLbPolicy().getKind().name());
        }
        var tcp = ClusterTranslator.translate(eds("a").addHealthChecks(HealthCheck.newBuilder()
                .setTcpHealthCheck(HealthCheck.TcpHealthCheck.getDefaultInstance())).build()).cluster().getHealthCheck();
        assertEquals("", tcp.getPath(), "a TCP check: connect only");
        var plugin = ClusterTranslator.translate(eds("a").setLoadBalancingPolicy(LoadBalancingPolicy.newBuilder().addPolicies(
                LoadBalancingPolicy.Policy.newBuilder().setTypedExtensionConfig(TypedExtensionConfig.newBuilder().setName("lb")
                        .setTypedConfig(typedStruct("yastack.dev/plugin/least-latency", struct("window", string("10s"))))))).build());
        assertEquals("least-latency", plugin.cluster().getLbPolicy().getPlugin());
        assertEquals("10s", plugin.cluster().getLbPolicy().getConfig().getFieldsOrThrow("window").getStringValue());
    }

    @Test
    void aStaticClusterAndTypedHttpOptions() throws Rejection {
        var options = HttpProtocolOptions.newBuilder()
                .setCommonHttpProtocolOptions(HttpProtocolOptions.getDefaultInstance().getCommonHttpProtocolOptions().toBuilder()
                        .setIdleTimeout(Durations.fromSeconds(42)))
                .setExplicitHttpConfig(ExplicitHttpConfig.newBuilder().setHttp2ProtocolOptions(Http2ProtocolOptions.newBuilder()
                        .setMaxConcurrentStreams(UInt32Value.of(9)))).build();
        ClusterResource r = ClusterTranslator.translate(Cluster.newBuilder().setName("s").setType(Cluster.DiscoveryType.STATIC)
                .setLoadAssignment(hosts("10.0.0.1:80", "10.0.0.2:81"))
                .putTypedExtensionProtocolOptions(ClusterTranslator.HTTP_OPTIONS_KEY, Any.pack(options)).build());
        assertNull(r.edsServiceName());
        assertEquals(DiscoveryType.STATIC, r.cluster().getType());
        assertEquals(List.of("10.0.0.1:80", "10.0.0.2:81"), r.cluster().getEndpointsList().stream()
                .map(e -> e.getAddress() + ":" + e.getPort()).toList());
        assertEquals(42, r.cluster().getIdleTimeout().getSeconds());
        assertEquals(9, r.cluster().getHttp2ProtocolOptions().getMaxConcurrentStreams());
        var http1 = HttpProtocolOptions.newBuilder()
                .setExplicitHttpConfig(ExplicitHttpConfig.newBuilder().setHttpProtocolOptions(
                        Http1ProtocolOptions.getDefaultInstance())).build();
        assertFalse(ClusterTranslator.translate(eds("a").putTypedExtensionProtocolOptions(ClusterTranslator.HTTP_OPTIONS_KEY,
                Any.pack(http1)).build()).cluster().hasHttp2ProtocolOptions());
    }

    @Test
    void strictAndLogicalDnsClusters() throws Rejection {
        var strict = ClusterTranslator.translate(dns(Cluster.DiscoveryType.STRICT_DNS, "api.example:8080", "api2.example:8081")
                .setDnsRefreshRate(Durations.fromSeconds(3)).setRespectDnsTtl(true).setDnsLookupFamily(Cluster.DnsLookupFamily.V4_ONLY)
                .addDnsResolvers(address("10.0.0.53", 0)).addDnsResolvers(address("fd00::53", 5353)).build());
        var s = strict.cluster();
        assertNull(strict.edsServiceName());
        assertEquals(DiscoveryType.STRICT_DNS, s.getType());
        assertEquals(List.of("api.example:8080", "api2.example:8081"), s.getEndpointsList().stream()
                .map(e -> e.getAddress() + ":" + e.getPort()).toList());
        assertEquals(3, s.getDnsRefreshRate().getSeconds());
        assertTrue(s.getRespectDnsTtl());
        assertEquals(DnsLookupFamily.V4_ONLY, s.getDnsLookupFamily());
        assertEquals(List.of("10.0.0.53:53", "[fd00::53]:5353"), s.getDnsResolversList(), "port 0 is DNS' 53");

        var logical = ClusterTranslator.translate(dns(Cluster.DiscoveryType.LOGICAL_DNS, "api.example:443")
                .setDnsLookupFamily(Cluster.DnsLookupFamily.ALL)
                .setDnsResolutionConfig(DnsResolutionConfig.newBuilder().addResolvers(address("127.0.0.1", 5300))).build()).cluster();
        assertEquals(DiscoveryType.LOGICAL_DNS, logical.getType());
        assertFalse(logical.hasDnsRefreshRate(), "our default (Envoy's): 5 s");
        assertFalse(logical.getRespectDnsTtl());
        assertEquals(DnsLookupFamily.ALL, logical.getDnsLookupFamily());
        assertEquals(List.of("127.0.0.1:5300"), logical.getDnsResolversList());

        // typed_dns_resolver_config wins over the older fields, as in Envoy.
        var typed = ClusterTranslator.translate(dns(Cluster.DiscoveryType.STRICT_DNS, "a.example:80")
                .setDnsLookupFamily(Cluster.DnsLookupFamily.V4_PREFERRED)
                .setDnsResolutionConfig(DnsResolutionConfig.newBuilder().addResolvers(address("127.0.0.1", 1)))
                .setTypedDnsResolverConfig(TypedExtensionConfig.newBuilder().setName("envoy.network.dns_resolver.cares")
                        .setTypedConfig(Any.pack(CaresDnsResolverConfig.newBuilder().addResolvers(address("127.0.0.2", 2)).build()))).build()).cluster();
        assertEquals(List.of("127.0.0.2:2"), typed.getDnsResolversList());
        assertEquals(DnsLookupFamily.V4_PREFERRED, typed.getDnsLookupFamily());

        var v6 = ClusterTranslator.translate(dns(Cluster.DiscoveryType.STRICT_DNS, "a.example:80")
                .setDnsLookupFamily(Cluster.DnsLookupFamily.V6_ONLY).build()).cluster();
        assertEquals(DnsLookupFamily.V6_ONLY, v6.getDnsLookupFamily());
        assertEquals(0, v6.getDnsResolversCount(), "none given: /etc/resolv.conf's");
    }

    @Test
    void dnsSettingsOnAnEdsClusterAreIgnoredAsEnvoyDoes() throws Rejection {
        var c = ClusterTranslator.translate(eds("a").setDnsLookupFamily(Cluster.DnsLookupFamily.V4_ONLY)
                .setDnsRefreshRate(Durations.fromSeconds(1)).build()).cluster();
        assertEquals(DiscoveryType.STATIC, c.getType());
        assertFalse(c.hasDnsRefreshRate());
        assertEquals(DnsLookupFamily.AUTO, c.getDnsLookupFamily());
    }

    @Test
    void refusalsNameTheField() {
        refused("type: ORIGINAL_DST is not supported (STATIC, STRICT_DNS, LOGICAL_DNS and EDS are)", () -> ClusterTranslator.translate(
                Cluster.newBuilder().setName("o").setType(Cluster.DiscoveryType.ORIGINAL_DST).build()));
        refused("cluster_type: not supported", () -> ClusterTranslator.translate(Cluster.newBuilder().setName("x")
                .setClusterType(Cluster.CustomClusterType.newBuilder().setName("envoy.clusters.aggregate")).build()));
        refused("load_assignment: an EDS cluster gets its endpoints from EDS", () -> ClusterTranslator.translate(
                eds("a").setLoadAssignment(hosts("10.0.0.1:80")).build()));
        refused("eds_cluster_config: is for type EDS", () -> ClusterTranslator.translate(Cluster.newBuilder().setName("s")
                .setEdsClusterConfig(Cluster.EdsClusterConfig.getDefaultInstance()).build()));
        refused("eds_cluster_config.eds_config.path: not supported",
                () -> ClusterTranslator.translate(eds("a").setEdsClusterConfig(Cluster.EdsClusterConfig.newBuilder()
                        .setEdsConfig(ConfigSource.newBuilder().setPath("/etc/eds.yaml"))).build()));
        refused("lb_policy: CLUSTER_PROVIDED is not supported", () -> ClusterTranslator.translate(
                eds("a").setLbPolicy(Cluster.LbPolicy.CLUSTER_PROVIDED).build()));
        refused("ring_hash_lb_config.hash_function: not supported", () -> ClusterTranslator.translate(eds("a")
                .setLbPolicy(Cluster.LbPolicy.RING_HASH).setRingHashLbConfig(Cluster.RingHashLbConfig.newBuilder()
                        .setHashFunction(Cluster.RingHashLbConfig.HashFunction.MURMUR_HASH_2)).build()));
        refused("load_balancing_policy: balancers are plugins, not scripts", () -> ClusterTranslator.translate(eds("a")
                .setLoadBalancingPolicy(LoadBalancingPolicy.newBuilder().addPolicies(LoadBalancingPolicy.Policy.newBuilder()
                        .setTypedExtensionConfig(TypedExtensionConfig.newBuilder().setName("js").setTypedConfig(typedStruct(
                                "yastack.dev/javascript", struct("source", string("x")))))))
                .build()));
        refused("load_balancing_policy.policies: give exactly one policy", () -> ClusterTranslator.translate(eds("a")
                .setLoadBalancingPolicy(LoadBalancingPolicy.getDefaultInstance()).build()));
        refused("health_checks: one health check is supported, got 2", () -> ClusterTranslator.translate(eds("a")
                .addHealthChecks(HealthCheck.newBuilder().setTcpHealthCheck(HealthCheck.TcpHealthCheck.getDefaultInstance()))
                .addHealthChecks(HealthCheck.newBuilder().setTcpHealthCheck(HealthCheck.TcpHealthCheck.getDefaultInstance())).build()));
        refused("health_checks[0].http_health_check.expected_statuses[0]: must be a range of HTTP statuses [start, end)",
                () -> ClusterTranslator.translate(eds("a").addHealthChecks(HealthCheck.newBuilder().setHttpHealthCheck(
                        HealthCheck.HttpHealthCheck.newBuilder().setPath("/").addExpectedStatuses(Int64Range.newBuilder()
                                .setStart(300).setEnd(200)))).build()));
        refused("health_checks[0].grpc_health_check: not supported", () -> ClusterTranslator.translate(eds("a")
                .addHealthChecks(HealthCheck.newBuilder().setGrpcHealthCheck(HealthCheck.GrpcHealthCheck.getDefaultInstance())).build()));
        refused("health_checks[0]: needs http_health_check or tcp_health_check", () -> ClusterTranslator.translate(eds("a")
                .addHealthChecks(HealthCheck.newBuilder().setInterval(Durations.fromSeconds(1))).build()));
        refused("outlier_detection.consecutive_gateway_failure: not supported", () -> ClusterTranslator.translate(eds("a")
                .setOutlierDetection(OutlierDetection.newBuilder().setConsecutiveGatewayFailure(UInt32Value.of(1))).build()));
        refused("circuit_breakers.thresholds[0].priority: only DEFAULT is supported", () -> ClusterTranslator.translate(eds("a")
                .setCircuitBreakers(CircuitBreakers.newBuilder().addThresholds(CircuitBreakers.Thresholds.newBuilder()
                        .setPriority(RoutingPriority.HIGH))).build()));
        refused("circuit_breakers.thresholds[0].max_connections: not supported", () -> ClusterTranslator.translate(eds("a")
                .setCircuitBreakers(CircuitBreakers.newBuilder().addThresholds(CircuitBreakers.Thresholds.newBuilder()
                        .setMaxConnections(UInt32Value.of(5)))).build()));
        refused("transport_socket.typed_config: only UpstreamTlsContext is supported, got "
                + "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext", () -> ClusterTranslator.translate(
                eds("a").setTransportSocket(TransportSocket.newBuilder().setName("tls")
                        .setTypedConfig(Any.pack(DownstreamTlsContext.getDefaultInstance()))).build()));
        refused("transport_socket.typed_config.common_tls_context.tls_certificates[0].certificate_chain: only filename is supported",
                () -> ClusterTranslator.translate(
                eds("a").setTransportSocket(TransportSocket.newBuilder().setName("tls").setTypedConfig(Any.pack(UpstreamTlsContext.newBuilder()
                        .setCommonTlsContext(CommonTlsContext.newBuilder().addTlsCertificates(
                                TlsCertificate.getDefaultInstance())).build()))).build()));
        refused("typed_extension_protocol_options['envoy.extensions.upstreams.tcp.v3.TcpProtocolOptions']: only "
                + ClusterTranslator.HTTP_OPTIONS_KEY + " is supported", () -> ClusterTranslator.translate(eds("a")
                .putTypedExtensionProtocolOptions("envoy.extensions.upstreams.tcp.v3.TcpProtocolOptions", Any.pack(Struct.getDefaultInstance()))
                .build()));
        refused("http2_protocol_options.initial_stream_window_size: not supported", () -> ClusterTranslator.translate(eds("a")
                .setHttp2ProtocolOptions(Http2ProtocolOptions.newBuilder().setInitialStreamWindowSize(UInt32Value.of(65535))).build()));
        refused("metadata.filter_metadata.yastack.flavor: must be host or userspace, got 'kernel'", () -> ClusterTranslator.translate(
                eds("a").setMetadata(Metadata.newBuilder().putFilterMetadata("yastack", struct("flavor", string("kernel")))).build()));
    }

    @Test
    void dnsRefusalsNameTheField() {
        refused("load_assignment.endpoints: a LOGICAL_DNS cluster has exactly one endpoint (one name), got 2",
                () -> ClusterTranslator.translate(dns(Cluster.DiscoveryType.LOGICAL_DNS, "a.example:80", "b.example:80").build()));
        refused("load_assignment: a STRICT_DNS cluster names its hosts here", () -> ClusterTranslator.translate(
                Cluster.newBuilder().setName("d").setType(Cluster.DiscoveryType.STRICT_DNS).build()));
        refused("dns_failure_refresh_rate: not supported", () -> ClusterTranslator.translate(dns(Cluster.DiscoveryType.STRICT_DNS, "a.example:80")
                .setDnsFailureRefreshRate(Cluster.RefreshRate.newBuilder().setBaseInterval(Durations.fromSeconds(1))).build()));
        refused("dns_jitter: not supported", () -> ClusterTranslator.translate(dns(Cluster.DiscoveryType.STRICT_DNS, "a.example:80")
                .setDnsJitter(Durations.fromSeconds(1)).build()));
        refused("use_tcp_for_dns_lookups: not supported", () -> ClusterTranslator.translate(dns(Cluster.DiscoveryType.STRICT_DNS, "a.example:80")
                .setUseTcpForDnsLookups(true).build()));
        refused("dns_resolution_config.dns_resolver_options: not supported", () -> ClusterTranslator.translate(
                dns(Cluster.DiscoveryType.STRICT_DNS, "a.example:80").setDnsResolutionConfig(DnsResolutionConfig.newBuilder()
                        .setDnsResolverOptions(DnsResolverOptions.newBuilder().setUseTcpForDnsLookups(true)))
                        .build()));
        refused("typed_dns_resolver_config.typed_config.use_resolvers_as_fallback: not supported", () -> ClusterTranslator.translate(
                dns(Cluster.DiscoveryType.STRICT_DNS, "a.example:80").setTypedDnsResolverConfig(TypedExtensionConfig.newBuilder()
                        .setName("cares").setTypedConfig(Any.pack(CaresDnsResolverConfig.newBuilder().setUseResolversAsFallback(true).build())))
                        .build()));
        refused("typed_dns_resolver_config.typed_config: only envoy.network.dns_resolver.cares (CaresDnsResolverConfig) is supported, got "
                + "type.googleapis.com/google.protobuf.Struct", () -> ClusterTranslator.translate(dns(Cluster.DiscoveryType.STRICT_DNS, "a.example:80")
                .setTypedDnsResolverConfig(TypedExtensionConfig.newBuilder().setName("getaddrinfo").setTypedConfig(Any.pack(Struct.getDefaultInstance())))
                .build()));
        refused("dns_resolvers[1].socket_address.resolver_name: not supported", () -> ClusterTranslator.translate(
                dns(Cluster.DiscoveryType.STRICT_DNS, "a.example:80").addDnsResolvers(address("10.0.0.53", 53))
                        .addDnsResolvers(address("10.0.0.54", 53).toBuilder().setSocketAddress(address("10.0.0.54", 53).getSocketAddress()
                                .toBuilder().setResolverName("custom"))).build()));
        refused("eds_cluster_config: is for type EDS", () -> ClusterTranslator.translate(dns(Cluster.DiscoveryType.STRICT_DNS, "a.example:80")
                .setEdsClusterConfig(Cluster.EdsClusterConfig.newBuilder().setEdsConfig(ADS)).build()));
    }

    @Test
    void mutualTlsTakesAClientCertificateFromAFileOrFromSds() throws Rejection {
        ConfigSource ads = ConfigSource.newBuilder().setAds(AggregatedConfigSource.getDefaultInstance()).build();
        var files = ClusterTranslator.translate(eds("a").setTransportSocket(TransportSocket.newBuilder().setName("tls").setTypedConfig(Any.pack(
                UpstreamTlsContext.newBuilder().setCommonTlsContext(CommonTlsContext.newBuilder().addTlsCertificates(TlsCertificate.newBuilder()
                        .setCertificateChain(DataSource.newBuilder().setFilename("/etc/c.pem"))
                        .setPrivateKey(DataSource.newBuilder().setFilename("/etc/c.key")))).build()))).build());
        assertEquals("/etc/c.pem", files.cluster().getTls().getCert());
        assertEquals("/etc/c.key", files.cluster().getTls().getKey());
        var sds = ClusterTranslator.translate(eds("a").setTransportSocket(TransportSocket.newBuilder().setName("tls").setTypedConfig(Any.pack(
                UpstreamTlsContext.newBuilder().setCommonTlsContext(CommonTlsContext.newBuilder()
                        .addTlsCertificateSdsSecretConfigs(SdsSecretConfig.newBuilder().setName("client").setSdsConfig(ads))
                        .setValidationContextSdsSecretConfig(SdsSecretConfig.newBuilder().setName("ca").setSdsConfig(ads))).build()))).build());
        assertEquals(List.of("client"), sds.secrets().certificates());
        assertEquals("ca", sds.secrets().clientCa());
        refused("transport_socket.typed_config.common_tls_context: at most one client certificate (tls_certificates or "
                + "tls_certificate_sds_secret_configs)", () -> ClusterTranslator.translate(eds("a").setTransportSocket(TransportSocket.newBuilder()
                .setName("tls").setTypedConfig(Any.pack(UpstreamTlsContext.newBuilder().setCommonTlsContext(CommonTlsContext.newBuilder()
                        .addTlsCertificateSdsSecretConfigs(SdsSecretConfig.newBuilder().setName("x").setSdsConfig(ads))
                        .addTlsCertificateSdsSecretConfigs(SdsSecretConfig.newBuilder().setName("y").setSdsConfig(ads))).build()))).build()));
    }
}
