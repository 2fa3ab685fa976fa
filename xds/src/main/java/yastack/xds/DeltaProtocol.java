package yastack.xds;

import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc.AggregatedDiscoveryServiceStub;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;
import yastack.api.config.Cluster;

/**
 * Delta (incremental) xDS ({@code api_type: DELTA_GRPC}): requests carry only subscription
 * changes; responses carry only the resources that changed, each with its own version, and
 * the names removed. Listeners and clusters are wildcard subscriptions (the first request
 * names nothing, as Envoy's); routes and endpoints are subscribed and unsubscribed by name.
 * A new stream tells the control plane what is held ({@code initial_resource_versions}).
 * An ACK or NACK carries only the response's nonce (and the error), never subscription
 * changes, which go in requests of their own without a nonce.
 */
final class DeltaProtocol extends AdsProtocol<DeltaDiscoveryRequest, DeltaDiscoveryResponse> {

    DeltaProtocol(Node node, boolean nodeOnFirstMessageOnly, Cluster cluster, Path baseDir, Executor executor) {
        super(node, nodeOnFirstMessageOnly, AggregatedDiscoveryServiceStub::deltaAggregatedResources, cluster, baseDir, executor);
    }

    @Override
    Update toUpdate(DeltaDiscoveryResponse r) {
        XdsType type = typeOf(r.getTypeUrl());
        if (type == null) return null;
        List<Update.Incoming> in = r.getResourcesList().stream()
                .map(res -> new Update.Incoming(res.getName(), res.getResource(), res.getVersion())).toList();
        return new Update(type, r.getNonce(), r.getSystemVersionInfo(), in,
                new LinkedHashSet<>(r.getRemovedResourcesList()), false, true);
    }

    @Override
    void subscribe(TypeState s) {
        DeltaDiscoveryRequest.Builder r = request(s);
        if (!s.type.wildcard) r.addAllResourceNamesSubscribe(s.names);
        s.resources.forEach((name, a) -> r.putInitialResourceVersions(name, a.version()));
        send(r.build());
    }

    @Override
    void resubscribe(TypeState s, Set<String> added, Set<String> removed) {
        send(request(s).addAllResourceNamesSubscribe(added).addAllResourceNamesUnsubscribe(removed).build());
    }

    @Override
    void ack(TypeState s) {
        send(request(s).setResponseNonce(s.nonce).build());
    }

    @Override
    void nack(TypeState s, String detail) {
        send(request(s).setResponseNonce(s.nonce).setErrorDetail(rejection(detail)).build());
    }

    /** Every request: the type (and the node, when it goes). */
    private DeltaDiscoveryRequest.Builder request(TypeState s) {
        DeltaDiscoveryRequest.Builder r = DeltaDiscoveryRequest.newBuilder().setTypeUrl(s.type.typeUrl);
        addNode(r::setNode);
        return r;
    }
}
