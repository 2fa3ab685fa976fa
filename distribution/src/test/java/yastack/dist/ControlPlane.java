package yastack.dist;

import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.controlplane.server.DiscoveryServerCallbacks;
import io.envoyproxy.controlplane.server.V3DiscoveryServer;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A real control plane: java-control-plane's {@code SimpleCache} and {@code V3DiscoveryServer}
 * on a real port, serving one snapshot per node id. It records every request it receives,
 * so tests see ACKs and NACKs (with their error detail) as a control plane does, over state
 * of the world and delta streams.
 */
public final class ControlPlane implements AutoCloseable {
    public final SimpleCache<String> cache = new SimpleCache<>(node -> node.getId());
    public final List<DiscoveryRequest> requests = new CopyOnWriteArrayList<>();
    public final List<DeltaDiscoveryRequest> deltaRequests = new CopyOnWriteArrayList<>();
    public final List<DeltaDiscoveryResponse> deltaResponses = new CopyOnWriteArrayList<>();
    /** The system version of each delta response sent, by "stream/nonce" (a delta ACK names only the nonce). */
    private final Map<String, String> deltaVersions = new ConcurrentHashMap<>();
    /** The stream of each delta request, by identity. */
    private final Map<DeltaDiscoveryRequest, Long> deltaStreams = Collections.synchronizedMap(new IdentityHashMap<>());
    private final Server server;

    public ControlPlane(int port) throws IOException {
        DiscoveryServerCallbacks callbacks = new DiscoveryServerCallbacks() {
            @Override
            public void onV3StreamRequest(long streamId, DiscoveryRequest request) {
                requests.add(request);
            }

            @Override
            public void onV3StreamDeltaRequest(long streamId, DeltaDiscoveryRequest request) {
                deltaStreams.put(request, streamId);
                deltaRequests.add(request);
            }

            @Override
            public void onV3StreamDeltaResponse(long streamId, DeltaDiscoveryRequest request, DeltaDiscoveryResponse response) {
                deltaVersions.put(streamId + "/" + response.getNonce(), response.getSystemVersionInfo());
                deltaResponses.add(response);
            }
        };
        V3DiscoveryServer discovery = new V3DiscoveryServer(callbacks, cache);
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
                .addService(discovery.getAggregatedDiscoveryServiceImpl()).build().start();
    }

    public int port() {
        return server.getPort();
    }

    /** Serves {@code version} of these resources to the node {@code nodeId}. */
    public void set(String nodeId, String version, List<Cluster> clusters, List<ClusterLoadAssignment> endpoints,
                    List<Listener> listeners, List<RouteConfiguration> routes) {
        set(nodeId, version, clusters, endpoints, listeners, routes, List.of());
    }

    /** As above, with SDS secrets. */
    public void set(String nodeId, String version, List<Cluster> clusters, List<ClusterLoadAssignment> endpoints,
                    List<Listener> listeners, List<RouteConfiguration> routes, List<Secret> secrets) {
        cache.setSnapshot(nodeId, Snapshot.create(clusters, endpoints, listeners, routes, secrets, version));
    }

    /** Waits (at most 20 s) for a request matching {@code p}; returns it. */
    public DiscoveryRequest await(Predicate<DiscoveryRequest> p, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            for (DiscoveryRequest r : requests) if (p.test(r)) return r;
            Thread.sleep(20);
        }
        throw new AssertionError("the control plane never saw " + what + "; it saw:\n" + requests);
    }

    /** An ACK of {@code version} for {@code typeUrl}. */
    public DiscoveryRequest awaitAck(String typeUrl, String version) throws InterruptedException {
        return await(r -> r.getTypeUrl().equals(typeUrl) && r.getVersionInfo().equals(version) && !r.hasErrorDetail()
                && !r.getResponseNonce().isEmpty(), "an ACK of " + typeUrl + " version " + version);
    }

    /** Waits (at most 20 s) for a delta request matching {@code p}; returns it. */
    public DeltaDiscoveryRequest awaitDelta(Predicate<DeltaDiscoveryRequest> p, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            for (DeltaDiscoveryRequest r : deltaRequests) if (p.test(r)) return r;
            Thread.sleep(20);
        }
        throw new AssertionError("the control plane never saw " + what + "; it saw:\n" + deltaRequests);
    }

    /** The system version of the delta response {@code r} answers (by its nonce), or null. */
    public String deltaVersionAnswered(DeltaDiscoveryRequest r) {
        Long stream = deltaStreams.get(r);
        return stream == null || r.getResponseNonce().isEmpty() ? null : deltaVersions.get(stream + "/" + r.getResponseNonce());
    }

    /** A delta ACK of the response that carried {@code typeUrl} at {@code version}. */
    public DeltaDiscoveryRequest awaitDeltaAck(String typeUrl, String version) throws InterruptedException {
        return awaitDelta(r -> r.getTypeUrl().equals(typeUrl) && !r.hasErrorDetail() && version.equals(deltaVersionAnswered(r)),
                "a delta ACK of " + typeUrl + " version " + version);
    }

    @Override
    public void close() throws InterruptedException {
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
}
