package yastack.xds;

import com.google.rpc.Status;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc.AggregatedDiscoveryServiceStub;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import yastack.api.config.Cluster;
import yastack.kernel.util.Logs;

/**
 * The wire protocol of the ADS stream: state of the world ({@link SotwProtocol}) or delta
 * ({@link DeltaProtocol}), with requests {@code Q} and responses {@code R}. It turns responses
 * into {@link Update}s and the client's decisions (subscribe, ACK, NACK) into requests;
 * everything else (decoding, composing, applying, stats, backoff) is the client's, the same
 * for both. Called on the client's thread only.
 */
abstract class AdsProtocol<Q, R> implements AutoCloseable {
    static final int INVALID_ARGUMENT = 3;

    private final Node node;
    private final boolean nodeOnFirstMessageOnly;
    private final AdsStream<Q, R> stream;
    private boolean nodeSent;

    /** {@code call} starts the protocol's bidirectional call on a stub (see {@link AdsStream}). */
    AdsProtocol(Node node, boolean nodeOnFirstMessageOnly,
                BiFunction<AggregatedDiscoveryServiceStub, StreamObserver<R>, StreamObserver<Q>> call,
                Cluster cluster, Path baseDir, Executor executor) {
        this.node = node;
        this.nodeOnFirstMessageOnly = nodeOnFirstMessageOnly;
        this.stream = new AdsStream<>(call, cluster, baseDir, executor);
    }

    /**
     * Gives {@code setNode} the node for the next request, or nothing: Envoy's default puts it
     * on every request (control planes such as java-control-plane group each request by it);
     * {@code set_node_on_first_message_only: true} sends it once per stream.
     */
    final void addNode(Consumer<Node> setNode) {
        if (nodeSent && nodeOnFirstMessageOnly) return;
        nodeSent = true;
        setNode.accept(node);
    }

    /** The {@code error_detail} of a NACK. */
    static Status rejection(String detail) {
        return Status.newBuilder().setCode(INVALID_ARGUMENT).setMessage(detail).build();
    }

    /** The type of a response's {@code type_url}; null (logged, the response is ignored) for another type. */
    static XdsType typeOf(String typeUrl) {
        XdsType type = XdsType.of(typeUrl);
        if (type == null) {
            Logs.get("yastack.xds").log(System.Logger.Level.WARNING, "xds: ignoring a response of type " + typeUrl + ", not subscribed");
        }
        return type;
    }

    /** Opens a new stream (closing the previous one); its responses and its end are reported on the client's thread. */
    final void open(Consumer<Update> onUpdate, Consumer<Throwable> onClosed) {
        nodeSent = false;
        stream.open(new AdsStream.Events<>() {
            @Override
            public void onResponse(R r) {
                Update u = toUpdate(r);
                if (u != null) onUpdate.accept(u);
            }

            @Override
            public void onClosed(Throwable cause) {
                onClosed.accept(cause);
            }
        });
    }

    /** What a response brings; null for a response to ignore (a type not subscribed). */
    abstract Update toUpdate(R response);

    /** Sends on the current stream. */
    final void send(Q request) {
        stream.send(request);
    }

    /** The endpoint the next stream connects to, e.g. {@code 127.0.0.1:18000}. */
    final String nextTarget() {
        return stream.nextTarget();
    }

    /** On a new stream: subscribes to {@code s}'s type (wildcard or its names), telling what is held. */
    abstract void subscribe(TypeState s);

    /** The names of a named type changed (already in {@code s.names}). */
    abstract void resubscribe(TypeState s, Set<String> added, Set<String> removed);

    /** Accepts the response last received for {@code s} (its nonce is in {@code s.nonce}). */
    abstract void ack(TypeState s);

    /** Rejects the response last received for {@code s}, keeping what was accepted before. */
    abstract void nack(TypeState s, String detail);

    @Override
    public final void close() {
        stream.close();
    }
}
