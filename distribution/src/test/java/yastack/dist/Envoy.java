package yastack.dist;

import com.github.xds.type.v3.TypedStruct;
import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.Struct;
import com.google.protobuf.UInt32Value;
import com.google.protobuf.Value;
import com.google.protobuf.util.Durations;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.Metadata;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsCertificate;

/** Envoy resources as a control plane writes them, for the tests. */
public final class Envoy {
    private static final ConfigSource ADS = ConfigSource.newBuilder().setAds(AggregatedConfigSource.getDefaultInstance()).build();

    private Envoy() {}

    public static Address address(String ip, int port) {
        return Address.newBuilder().setSocketAddress(SocketAddress.newBuilder().setAddress(ip).setPortValue(port)).build();
    }

    /** An HTTP listener whose routes come from RDS ({@code routes}), with these HTTP filters before the router. */
    public static Listener httpListener(String name, int port, String routes, HttpFilter... filters) {
        HttpConnectionManager.Builder hcm = HttpConnectionManager.newBuilder().setStatPrefix(name)
                .setRds(Rds.newBuilder().setConfigSource(ADS).setRouteConfigName(routes));
        for (HttpFilter f : filters) hcm.addHttpFilters(f);
        hcm.addHttpFilters(HttpFilter.newBuilder().setName("envoy.filters.http.router").setTypedConfig(Any.pack(Router.getDefaultInstance())));
        return Listener.newBuilder().setName(name).setAddress(address("127.0.0.1", port))
                .addFilterChains(FilterChain.newBuilder().addFilters(Filter.newBuilder()
                        .setName("envoy.filters.network.http_connection_manager").setTypedConfig(Any.pack(hcm.build()))))
                .build();
    }

    /** One virtual host for every domain; each {@code prefixAndCluster} pair is a route. */
    public static RouteConfiguration routes(String name, String... prefixAndCluster) {
        VirtualHost.Builder vh = VirtualHost.newBuilder().setName("all").addDomains("*");
        for (int i = 0; i < prefixAndCluster.length; i += 2) {
            vh.addRoutes(Route.newBuilder().setMatch(RouteMatch.newBuilder().setPrefix(prefixAndCluster[i]))
                    .setRoute(RouteAction.newBuilder().setCluster(prefixAndCluster[i + 1]).setTimeout(Durations.fromSeconds(5))));
        }
        return RouteConfiguration.newBuilder().setName(name).addVirtualHosts(vh).build();
    }

    public static Cluster edsCluster(String name) {
        return Cluster.newBuilder().setName(name).setType(Cluster.DiscoveryType.EDS)
                .setConnectTimeout(Durations.fromSeconds(1))
                .setEdsClusterConfig(Cluster.EdsClusterConfig.newBuilder().setEdsConfig(ADS)).build();
    }

    /** The cluster with {@code filter_metadata: {yastack: {flavor: FLAVOR}}}. */
    public static Cluster withFlavor(Cluster c, String flavor) {
        return c.toBuilder().setMetadata(flavorMetadata(flavor)).build();
    }

    public static Listener withFlavor(Listener l, String flavor) {
        return l.toBuilder().setMetadata(flavorMetadata(flavor)).build();
    }

    private static Metadata flavorMetadata(String flavor) {
        return Metadata.newBuilder().putFilterMetadata("yastack", Struct.newBuilder()
                .putFields("flavor", Value.newBuilder().setStringValue(flavor).build()).build()).build();
    }

    public static ClusterLoadAssignment endpoints(String cluster, String ip, int... ports) {
        LocalityLbEndpoints.Builder group = LocalityLbEndpoints.newBuilder();
        for (int p : ports) {
            group.addLbEndpoints(LbEndpoint.newBuilder().setEndpoint(Endpoint.newBuilder().setAddress(address(ip, p)))
                    .setLoadBalancingWeight(UInt32Value.of(1)));
        }
        return ClusterLoadAssignment.newBuilder().setClusterName(cluster).addEndpoints(group).build();
    }

    /** An HTTP filter that is one of our extensions ({@code TypedStruct}). */
    public static HttpFilter extension(String name, String typeUrl, Struct value) {
        return HttpFilter.newBuilder().setName(name).setTypedConfig(Any.pack(TypedStruct.newBuilder()
                .setTypeUrl(typeUrl).setValue(value).build())).build();
    }

    /** A JavaScript filter sent inline. */
    public static HttpFilter javascript(String name, String source) {
        return extension(name, "yastack.dev/javascript", Struct.newBuilder()
                .putFields("source", Value.newBuilder().setStringValue(source).build()).build());
    }

    /** {@code l} terminating TLS with the certificate of SDS secret {@code secret} (over ADS). */
    public static Listener withSdsCertificate(Listener l, String secret) {
        DownstreamTlsContext tls = DownstreamTlsContext.newBuilder().setCommonTlsContext(CommonTlsContext.newBuilder()
                .addTlsCertificateSdsSecretConfigs(SdsSecretConfig.newBuilder().setName(secret).setSdsConfig(ADS))).build();
        FilterChain chain = l.getFilterChains(0).toBuilder().setTransportSocket(TransportSocket.newBuilder()
                .setName("envoy.transport_sockets.tls").setTypedConfig(Any.pack(tls))).build();
        return l.toBuilder().setFilterChains(0, chain).build();
    }

    /** An SDS secret holding a certificate chain and its key as inline PEM. */
    public static Secret certificateSecret(String name, String certPem, String keyPem) {
        return Secret.newBuilder().setName(name).setTlsCertificate(TlsCertificate.newBuilder()
                .setCertificateChain(DataSource.newBuilder().setInlineString(certPem))
                .setPrivateKey(DataSource.newBuilder().setInlineBytes(ByteString.copyFromUtf8(keyPem)))).build();
    }
}
