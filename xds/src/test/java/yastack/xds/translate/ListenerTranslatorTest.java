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
import com.google.protobuf.BoolValue;
import com.google.protobuf.Struct;
import com.google.protobuf.UInt32Value;
import com.google.protobuf.Value;
import com.google.protobuf.util.Durations;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.Metadata;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.FilterChainMatch;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.listener.v3.ListenerFilter;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsCertificate;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import yastack.api.config.SocketFlavor;

class ListenerTranslatorTest {
    private final InlineScripts scripts = InlineScripts.temporary();
    private final ListenerTranslator translator = new ListenerTranslator(scripts);

    @AfterEach
    void clean() {
        scripts.close();
    }

    static Filter hcm(String routes) {
        HttpConnectionManager h = HttpConnectionManager.newBuilder().setStatPrefix("ingress")
                .setRds(Rds.newBuilder().setRouteConfigName(routes).setConfigSource(ConfigSource.newBuilder()
                        .setAds(AggregatedConfigSource.getDefaultInstance())))
                .addHttpFilters(HttpFilter.newBuilder().setName("envoy.filters.http.router").setTypedConfig(Any.pack(Router.getDefaultInstance())))
                .build();
        return Filter.newBuilder().setName("envoy.filters.network.http_connection_manager").setTypedConfig(Any.pack(h)).build();
    }

    static Metadata flavor(Struct ours) {
        return Metadata.newBuilder().putFilterMetadata("yastack", ours).build();
    }

    private static Listener.Builder listener(Filter... filters) {
        return Listener.newBuilder().setName("web").setAddress(address("0.0.0.0", 8443))
                .addFilterChains(FilterChain.newBuilder().addAllFilters(List.of(filters)));
    }

    private static DataSource file(String name) {
        return DataSource.newBuilder().setFilename(name).build();
    }

    @Test
    void anHttpListenerFieldByField() throws Rejection {
        DownstreamTlsContext tls = DownstreamTlsContext.newBuilder().setRequireClientCertificate(BoolValue.of(true))
                .setOcspStaplePolicy(DownstreamTlsContext.OcspStaplePolicy.MUST_STAPLE)
                .setCommonTlsContext(CommonTlsContext.newBuilder().addAlpnProtocols("h2").addAlpnProtocols("http/1.1")
                        .addTlsCertificates(TlsCertificate.newBuilder().setCertificateChain(file("/etc/a.pem")).setPrivateKey(file("/etc/a.key"))
                                .setOcspStaple(file("/etc/a.ocsp")))
                        .setValidationContext(CertificateValidationContext.newBuilder().setTrustedCa(file("/etc/ca.pem"))))
                .build();
        Listener l = listener(hcm("routes")).setMetadata(flavor(struct("flavor", string("userspace"))))
                .addListenerFilters(ListenerFilter.newBuilder().setName("envoy.filters.listener.tls_inspector"))
                .addListenerFilters(ListenerFilter.newBuilder().setName("envoy.filters.listener.proxy_protocol"))
                .setFilterChains(0, FilterChain.newBuilder().addFilters(hcm("routes"))
                        .setTransportSocket(TransportSocket.newBuilder().setName("envoy.transport_sockets.tls").setTypedConfig(Any.pack(tls))))
                .setStatPrefix("web").setEnableReusePort(BoolValue.of(true)).build();
        ListenerResource r = translator.translate(l);
        var out = r.listener();
        assertEquals("web", out.getName());
        assertEquals("0.0.0.0", out.getAddress());
        assertEquals(8443, out.getPort());
        assertEquals(SocketFlavor.USERSPACE, out.getFlavor());
        assertTrue(out.getProxyProtocol());
        assertEquals(List.of("h2", "http/1.1"), out.getTls().getAlpnList());
        assertEquals("/etc/a.pem", out.getTls().getCertificates(0).getCert());
        assertEquals("/etc/a.key", out.getTls().getCertificates(0).getKey());
        assertEquals("/etc/a.ocsp", out.getTls().getCertificates(0).getOcspStaple());
        assertEquals(yastack.api.config.ListenerTls.OcspStaplePolicy.MUST_STAPLE, out.getTls().getOcspStaplePolicy());
        assertEquals("/etc/ca.pem", out.getTls().getClientCa());
        assertTrue(out.hasHttp());
        assertFalse(out.getHttp().hasRouteConfig(), "the routes come from RDS");
        assertEquals("routes", r.rdsName());
        assertEquals("ingress", r.statPrefix());
        assertEquals(Set.of(), r.clusters());
    }

    @Test
    void theFlavorIsHostByDefaultAndFromMetadata() throws Rejection {
        assertEquals(SocketFlavor.HOST, translator.translate(listener(hcm("r")).build()).listener().getFlavor());
        assertEquals(SocketFlavor.HOST, translator.translate(listener(hcm("r")).setMetadata(flavor(struct("flavor", string("host"))))
                .build()).listener().getFlavor());
        assertFalse(translator.translate(listener(hcm("r")).build()).listener().getProxyProtocol());
    }

    @Test
    void theDefaultFilterChainServesWhenItIsTheOnlyOne() throws Rejection {
        Listener l = Listener.newBuilder().setName("web").setAddress(address("127.0.0.1", 80))
                .setDefaultFilterChain(FilterChain.newBuilder().addFilters(hcm("r"))).build();
        assertEquals("r", translator.translate(l).rdsName());
    }

    @Test
    void aTcpProxyWithOurL4Plugins() throws Rejection {
        TcpProxy tcp = TcpProxy.newBuilder().setStatPrefix("db").setCluster("postgres").setIdleTimeout(Durations.fromSeconds(30)).build();
        Filter plugin = Filter.newBuilder().setName("limit").setTypedConfig(typedStruct("yastack.dev/plugin/conn-limit",
                struct("max", Value.newBuilder().setNumberValue(10).build()))).build();
        Filter proxy = Filter.newBuilder().setName("envoy.filters.network.tcp_proxy").setTypedConfig(Any.pack(tcp)).build();
        ListenerResource r = translator.translate(listener(plugin, proxy).build());
        var t = r.listener().getTcp();
        assertEquals("postgres", t.getCluster());
        assertEquals(30, t.getIdleTimeout().getSeconds());
        assertEquals("conn-limit", t.getFilters(0).getName());
        assertEquals(10, t.getFilters(0).getConfig().getFieldsOrThrow("max").getNumberValue());
        assertEquals(Set.of("postgres"), r.clusters());
        assertNull(r.rdsName());
        assertEquals("db", r.statPrefix());
    }

    @Test
    void refusalsNameTheField() {
        refused("per_connection_buffer_limit_bytes: not supported", () -> translator.translate(listener(hcm("r"))
                .setPerConnectionBufferLimitBytes(UInt32Value.of(1024)).build()));
        refused("address.socket_address.protocol: only TCP is supported", () -> translator.translate(listener(hcm("r"))
                .setAddress(address("0.0.0.0", 53).toBuilder().setSocketAddress(SocketAddress.newBuilder().setAddress("0.0.0.0")
                        .setPortValue(53).setProtocol(SocketAddress.Protocol.UDP))).build()));
        refused("listener_filters[0]: 'envoy.filters.listener.original_dst' is not supported; envoy.filters.listener.tls_inspector "
                        + "(SNI is always read) and envoy.filters.listener.proxy_protocol are",
                () -> translator.translate(listener(hcm("r")).addListenerFilters(ListenerFilter.newBuilder()
                        .setName("envoy.filters.listener.original_dst")).build()));
        refused("filter_chains: exactly one filter chain is supported (no filter_chain_match), got 2", () -> translator.translate(
                listener(hcm("r")).addFilterChains(FilterChain.newBuilder().addFilters(hcm("r"))).build()));
        refused("filter_chains[0].filter_chain_match: not supported", () -> translator.translate(listener(hcm("r"))
                .setFilterChains(0, FilterChain.newBuilder().addFilters(hcm("r")).setFilterChainMatch(
                        FilterChainMatch.newBuilder().addServerNames("a"))).build()));
        refused("filter_chains[0].filters: needs a network filter", () -> translator.translate(listener().build()));
        refused("metadata.filter_metadata.yastack.flavor: must be host or userspace, got 'dpdk'",
                () -> translator.translate(listener(hcm("r")).setMetadata(flavor(struct("flavor", string("dpdk")))).build()));
        refused("metadata.filter_metadata.yastack.workers: unknown yastack setting; only flavor is read",
                () -> translator.translate(listener(hcm("r")).setMetadata(flavor(struct("workers", string("2")))).build()));
        refused("filter_chains[0].filters[1].typed_config: the last network filter must be envoy.filters.network.http_connection_manager "
                        + "or envoy.filters.network.tcp_proxy, got type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext",
                () -> translator.translate(listener(hcm("r"), Filter.newBuilder().setName("x")
                        .setTypedConfig(Any.pack(DownstreamTlsContext.getDefaultInstance())).build()).build()));
        refused("filter_chains[0].filters[0]: network filters before the HTTP connection manager are not supported",
                () -> translator.translate(listener(Filter.newBuilder().setName("x").setTypedConfig(typedStruct("yastack.dev/plugin/a",
                        Struct.getDefaultInstance())).build(), hcm("r")).build()));
        refused("filter_chains[0].filters[1].typed_config.tunneling_config: not supported", () -> translator.translate(listener(
                Filter.newBuilder().setName("x").setTypedConfig(typedStruct("yastack.dev/plugin/a", Struct.getDefaultInstance())).build(),
                Filter.newBuilder().setName("tcp").setTypedConfig(Any.pack(TcpProxy.newBuilder().setCluster("c")
                        .setTunnelingConfig(TcpProxy.TunnelingConfig.newBuilder().setHostname("h")).build())).build()).build()));
        refused("filter_chains[0].filters[0].typed_config: L4 filters are plugins, not scripts", () -> translator.translate(listener(
                Filter.newBuilder().setName("js").setTypedConfig(typedStruct("yastack.dev/javascript", struct("source", string("x")))).build(),
                Filter.newBuilder().setName("tcp").setTypedConfig(Any.pack(TcpProxy.newBuilder().setCluster("c").build())).build()).build()));
        refused("filter_chains[0].transport_socket.typed_config.common_tls_context.tls_certificates[0].certificate_chain: only filename is supported",
                () -> translator.translate(listener(hcm("r")).setFilterChains(0, FilterChain.newBuilder().addFilters(hcm("r"))
                        .setTransportSocket(TransportSocket.newBuilder().setName("tls").setTypedConfig(Any.pack(DownstreamTlsContext.newBuilder()
                                .setCommonTlsContext(CommonTlsContext.newBuilder().addTlsCertificates(TlsCertificate.newBuilder()
                                        .setCertificateChain(DataSource.newBuilder().setInlineString("PEM")))).build())))).build()));
        refused("filter_chains[0].transport_socket.typed_config.require_client_certificate: a validation context always requires client certificates here",
                () -> translator.translate(listener(hcm("r")).setFilterChains(0, FilterChain.newBuilder().addFilters(hcm("r"))
                        .setTransportSocket(TransportSocket.newBuilder().setName("tls").setTypedConfig(Any.pack(DownstreamTlsContext.newBuilder()
                                .setRequireClientCertificate(BoolValue.of(false)).setCommonTlsContext(CommonTlsContext.newBuilder()
                                        .setValidationContext(CertificateValidationContext.newBuilder().setTrustedCa(file("/ca.pem")))).build()))))
                        .build()));
    }

    @Test
    void aRefusalBecomesTheNackNamingTheResource() {
        Rejection r = new Rejection("address.socket_address.protocol", "only TCP is supported").in("Listener 'web'");
        assertEquals("Listener 'web': address.socket_address.protocol: only TCP is supported", r.getMessage());
    }
}
