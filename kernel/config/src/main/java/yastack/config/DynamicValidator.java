package yastack.config;

import yastack.api.config.ApiType;
import yastack.api.config.ApiVersion;
import yastack.api.config.Bootstrap;
import yastack.api.config.Cluster;
import yastack.api.config.ConfigSource;
import yastack.api.config.DynamicResources;
import yastack.api.config.SocketFlavor;

/**
 * Checks {@code node} and {@code dynamic_resources}: what the xDS client needs to reach a
 * control plane (Envoy's rules: the ADS stream goes to a static HTTP/2 cluster) and the
 * parts of Envoy's shape that are not supported yet, each named.
 */
final class DynamicValidator {
    private final Bootstrap config;
    private final Findings f;

    DynamicValidator(Bootstrap config, Findings f) {
        this.config = config;
        this.f = f;
    }

    /** Whether clusters may come from a control plane, so a reference to an unknown one is not an error. */
    static boolean clustersFromControlPlane(Bootstrap config) {
        return config.hasDynamicResources() && config.getDynamicResources().hasCdsConfig();
    }

    void validate() {
        if (!config.hasDynamicResources()) return;
        DynamicResources d = config.getDynamicResources();
        String path = "dynamic_resources";
        if (!config.hasNode() || config.getNode().getId().isBlank()) {
            f.error(config.hasNode() ? "node.id" : "node", "a node id is required with dynamic_resources "
                    + "(the control plane tells proxies apart by it): node: {id: edge-1, cluster: edge}");
        }
        if (!d.hasLdsConfig() && !d.hasCdsConfig()) {
            f.error(path, "needs lds_config or cds_config (or both): {ads: {}}");
        }
        if (d.hasLdsConfig()) configSource(path + ".lds_config", d.getLdsConfig());
        if (d.hasCdsConfig()) configSource(path + ".cds_config", d.getCdsConfig());
        if (!d.hasAdsConfig()) {
            f.error(path + ".ads_config", "an ADS stream is required: ads_config: {api_type: GRPC, grpc_services: [{envoy_grpc: {cluster_name: NAME}}]}");
            return;
        }
        var ads = d.getAdsConfig();
        String p = path + ".ads_config";
        if (ads.getApiType() != ApiType.GRPC && ads.getApiType() != ApiType.DELTA_GRPC) {
            f.error(p + ".api_type", "only GRPC (state of the world) and DELTA_GRPC (incremental) are supported");
        }
        if (ads.getTransportApiVersion() == ApiVersion.V2) f.error(p + ".transport_api_version", "only V3 is supported");
        if (ads.getGrpcServicesCount() != 1) {
            f.error(p + ".grpc_services", "give exactly one grpc service, got " + ads.getGrpcServicesCount());
            return;
        }
        String cp = p + ".grpc_services[0].envoy_grpc.cluster_name";
        String name = ads.getGrpcServices(0).getEnvoyGrpc().getClusterName();
        if (name.isEmpty()) {
            f.error(cp, "a static cluster name is required");
            return;
        }
        Cluster xds = config.getClustersList().stream().filter(c -> c.getName().equals(name)).findFirst().orElse(null);
        if (xds == null) {
            f.error(cp, "unknown cluster '" + name + "': the control plane's cluster must be a static one");
            return;
        }
        if (!xds.hasHttp2ProtocolOptions()) {
            f.error(cp, "cluster '" + name + "' needs http2_protocol_options: {} (gRPC runs over HTTP/2)");
        }
        if (xds.getFlavor() != SocketFlavor.HOST) {
            f.error(cp, "cluster '" + name + "' must have flavor host: the control-plane connection uses the host's sockets");
        }
    }

    private void configSource(String path, ConfigSource s) {
        if (!s.hasAds()) f.error(path + ".ads", "only ads: {} is supported (resources come over the ADS stream)");
        f.nonNegative(path + ".initial_fetch_timeout", s.hasInitialFetchTimeout(), s.getInitialFetchTimeout());
        if (s.getResourceApiVersion() == ApiVersion.V2) f.error(path + ".resource_api_version", "only V3 is supported");
    }
}
