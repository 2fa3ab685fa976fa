package yastack.xds;

import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc.AggregatedDiscoveryServiceStub;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;
import yastack.api.config.Cluster;

/**
 * State of the world ({@code api_type: GRPC}): every request names the whole subscription and
 * the version last accepted; every listener and cluster response is the whole set.
 */
final class SotwProtocol extends AdsProtocol<DiscoveryRequest, DiscoveryResponse> {

    SotwProtocol(Node node, boolean nodeOnFirstMessageOnly, Cluster cluster, Path baseDir, Executor executor) {
        super(node, nodeOnFirstMessageOnly, AggregatedDiscoveryServiceStub::streamAggregatedResources, cluster, baseDir, executor);
    }

    @Override
    Update toUpdate(DiscoveryResponse r) {
        XdsType type = typeOf(r.getTypeUrl());
        if (type == null) return null;
        List<Update.Incoming> in = r.getResourcesList().stream()
                .map(a -> new Update.Incoming("", a, r.getVersionInfo())).toList();
        return new Update(type, r.getNonce(), r.getVersionInfo(), in, Set.of(), type.wildcard, false);
    }

    @Override
    void subscribe(TypeState s) {
        send(request(s).build());
    }

    @Override
    void resubscribe(TypeState s, Set<String> added, Set<String> removed) {
        if (!s.names.isEmpty()) send(request(s).build());
    }

    @Override
    void ack(TypeState s) {
        send(request(s).build());
    }

    @Override
    void nack(TypeState s, String detail) {
        send(request(s).setErrorDetail(rejection(detail)).build());
    }

    /** Every request: the type, the version and nonce last received, the subscribed names. */
    private DiscoveryRequest.Builder request(TypeState s) {
        DiscoveryRequest.Builder r = DiscoveryRequest.newBuilder().setTypeUrl(s.type.typeUrl)
                .setVersionInfo(s.version).setResponseNonce(s.nonce);
        if (!s.type.wildcard) r.addAllResourceNames(s.names);
        addNode(r::setNode);
        return r;
    }
}
