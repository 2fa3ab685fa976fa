package yastack.xds;

import com.google.rpc.Status;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc.AggregatedDiscoveryServiceStub;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import yastack.api.config.Cluster;

/**
 * State of the world ({@code api_type: GRPC}): every request names the whole subscription and
 * the version last accepted; every listener and cluster response is the whole set.
 */
final class SotwProtocol extends AdsProtocol {
    private final AdsStream<DiscoveryRequest, DiscoveryResponse> stream;

    SotwProtocol(Node node, boolean nodeOnFirstMessageOnly, Cluster cluster, Path baseDir, Executor executor) {
        super(node, nodeOnFirstMessageOnly);
        this.stream = new AdsStream<>(AggregatedDiscoveryServiceStub::streamAggregatedResources, cluster, baseDir, executor);
    }

    @Override
    void openStream(Consumer<Update> onUpdate, Consumer<Throwable> onClosed) {
        stream.open(new AdsStream.Events<>() {
            @Override
            public void onResponse(DiscoveryResponse r) {
                XdsType type = typeOf(r.getTypeUrl());
                if (type == null) return;
                List<Update.Incoming> in = r.getResourcesList().stream()
                        .map(a -> new Update.Incoming("", a, r.getVersionInfo())).toList();
                onUpdate.accept(new Update(type, r.getNonce(), r.getVersionInfo(), in, Set.of(), type.wildcard, false));
            }

            @Override
            public void onClosed(Throwable cause) {
                onClosed.accept(cause);
            }
        });
    }

    @Override
    String nextTarget() {
        return stream.nextTarget();
    }

    @Override
    void subscribe(TypeState s) {
        request(s, null);
    }

    @Override
    void resubscribe(TypeState s, Set<String> added, Set<String> removed) {
        if (!s.names.isEmpty()) request(s, null);
    }

    @Override
    void ack(TypeState s) {
        request(s, null);
    }

    @Override
    void nack(TypeState s, String detail) {
        request(s, detail);
    }

    private void request(TypeState s, String errorDetail) {
        DiscoveryRequest.Builder r = DiscoveryRequest.newBuilder().setTypeUrl(s.type.typeUrl)
                .setVersionInfo(s.version).setResponseNonce(s.nonce);
        if (!s.type.wildcard) r.addAllResourceNames(s.names);
        Node node = nodeToSend();
        if (node != null) r.setNode(node);
        if (errorDetail != null) r.setErrorDetail(Status.newBuilder().setCode(INVALID_ARGUMENT).setMessage(errorDetail));
        stream.send(r.build());
    }

    @Override
    public void close() {
        stream.close();
    }
}
