package yastack.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import yastack.api.config.ApiType;
import yastack.api.config.Bootstrap;
import yastack.api.config.Cluster;

/** node and dynamic_resources: what the xDS client needs, checked with field and line. */
class DynamicConfigErrorsTest extends ConfigErrorAssertions {
    private static final String XDS_CLUSTER = """
            clusters:
              - {name: xds, http2_protocol_options: {}, endpoints: [{address: 127.0.0.1, port: 18000}]}
            """;

    @Test
    void envoysShapeIsAccepted() throws Exception {
        Bootstrap b = ConfigLoader.parse("""
                node: {id: edge-1, cluster: edge, metadata: {role: gateway}}
                dynamic_resources:
                  ads_config:
                    api_type: GRPC
                    transport_api_version: V3
                    grpc_services: [{envoy_grpc: {cluster_name: xds}}]
                  lds_config: {ads: {}, resource_api_version: V3, initial_fetch_timeout: 5s}
                  cds_config: {ads: {}}
                listeners:
                  - name: static
                    port: 8080
                    http:
                      route_config:
                        virtual_hosts: [{name: a, domains: ["*"], routes: [{match: {prefix: /}, route: {cluster: from_cds}}]}]
                """ + XDS_CLUSTER, dir, () -> true).bootstrap();
        assertEquals("edge-1", b.getNode().getId());
        assertEquals(ApiType.GRPC, b.getDynamicResources().getAdsConfig().getApiType());
        assertEquals(5, b.getDynamicResources().getLdsConfig().getInitialFetchTimeout().getSeconds());
    }

    @Test
    void routesToUnknownClustersAreErrorsWithoutCds() {
        assertError(single("""
                node: {id: n}
                dynamic_resources:
                  ads_config: {grpc_services: [{envoy_grpc: {cluster_name: xds}}]}
                  lds_config: {ads: {}}
                listeners:
                  - {name: t, port: 9000, tcp: {cluster: nowhere}}
                """ + XDS_CLUSTER), "listeners[0].tcp.cluster", 6, "unknown cluster 'nowhere'");
    }

    @Test
    void nodeIdIsRequired() {
        assertError(single("""
                dynamic_resources:
                  ads_config: {grpc_services: [{envoy_grpc: {cluster_name: xds}}]}
                  cds_config: {ads: {}}
                """ + XDS_CLUSTER), "node", 1, "a node id is required with dynamic_resources");
    }

    @Test
    void restIsNotSupported() {
        assertError(single("""
                node: {id: n}
                dynamic_resources:
                  ads_config:
                    api_type: REST
                    grpc_services: [{envoy_grpc: {cluster_name: xds}}]
                  cds_config: {ads: {}}
                """ + XDS_CLUSTER), "dynamic_resources.ads_config.api_type", 4, "only GRPC (state of the world) and DELTA_GRPC");
    }

    @Test
    void theAdsClusterMustBeStaticAndHttp2() {
        List<ConfigError> es = errors("""
                node: {id: n}
                dynamic_resources:
                  ads_config: {grpc_services: [{envoy_grpc: {cluster_name: plain}}]}
                  lds_config: {}
                clusters:
                  - {name: plain, endpoints: [{address: 127.0.0.1, port: 18000}]}
                """);
        assertEquals(2, es.size(), es::toString);
        assertError(es.get(0), "dynamic_resources.ads_config.grpc_services[0].envoy_grpc.cluster_name", 3,
                "cluster 'plain' needs http2_protocol_options: {} (gRPC runs over HTTP/2)");
        assertError(es.get(1), "dynamic_resources.lds_config.ads", 4, "only ads: {} is supported");
        assertError(single("""
                node: {id: n}
                dynamic_resources:
                  ads_config: {grpc_services: [{envoy_grpc: {cluster_name: cp}}]}
                  cds_config: {ads: {}}
                """ + XDS_CLUSTER), "dynamic_resources.ads_config.grpc_services[0].envoy_grpc.cluster_name", 3,
                "unknown cluster 'cp': the control plane's cluster must be a static one");
    }

    @Test
    void aComposedConfigMayHaveClustersWithoutEndpoints() {
        Bootstrap b = Bootstrap.newBuilder().addClusters(Cluster.newBuilder().setName("eds_scaled_to_zero")).build();
        assertTrue(ConfigLoader.checkComposed(b, Path.of(".")).isEmpty());
        assertEquals("a cluster needs at least one endpoint",
                errors("clusters: [{name: c}]").getFirst().message());
    }
}
