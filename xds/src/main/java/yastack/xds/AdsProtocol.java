package yastack.xds;

import io.envoyproxy.envoy.config.core.v3.Node;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The wire protocol of the ADS stream: state of the world ({@link SotwProtocol}) or delta
 * ({@link DeltaProtocol}). It turns responses into {@link Update}s and the client's decisions
 * (subscribe, ACK, NACK) into requests; everything else (decoding, composing, applying,
 * stats, backoff) is the client's, the same for both. Called on the client's thread only.
 */
abstract class AdsProtocol implements AutoCloseable {
    static final int INVALID_ARGUMENT = 3;

    private final Node node;
    private final boolean nodeOnFirstMessageOnly;
    private boolean nodeSent;

    AdsProtocol(Node node, boolean nodeOnFirstMessageOnly) {
        this.node = node;
        this.nodeOnFirstMessageOnly = nodeOnFirstMessageOnly;
    }

    /**
     * The node for the next request, or null: Envoy's default puts it on every request
     * (control planes such as java-control-plane group each request by it);
     * {@code set_node_on_first_message_only: true} sends it once per stream.
     */
    final Node nodeToSend() {
        if (nodeSent && nodeOnFirstMessageOnly) return null;
        nodeSent = true;
        return node;
    }

    /** The type of a response's {@code type_url}; null (logged, the response is ignored) for another type. */
    static XdsType typeOf(String typeUrl) {
        XdsType type = XdsType.of(typeUrl);
        if (type == null) {
            System.getLogger("yastack.xds").log(System.Logger.Level.WARNING, "xds: ignoring a response of type " + typeUrl + ", not subscribed");
        }
        return type;
    }

    /** Opens a new stream (closing the previous one); its responses and its end are reported on the client's thread. */
    final void open(Consumer<Update> onUpdate, Consumer<Throwable> onClosed) {
        nodeSent = false;
        openStream(onUpdate, onClosed);
    }

    abstract void openStream(Consumer<Update> onUpdate, Consumer<Throwable> onClosed);

    /** The endpoint the next stream connects to, e.g. {@code 127.0.0.1:18000}. */
    abstract String nextTarget();

    /** On a new stream: subscribes to {@code s}'s type (wildcard or its names), telling what is held. */
    abstract void subscribe(TypeState s);

    /** The names of a named type changed (already in {@code s.names}). */
    abstract void resubscribe(TypeState s, Set<String> added, Set<String> removed);

    /** Accepts the response last received for {@code s} (its nonce is in {@code s.nonce}). */
    abstract void ack(TypeState s);

    /** Rejects the response last received for {@code s}, keeping what was accepted before. */
    abstract void nack(TypeState s, String detail);

    @Override
    public abstract void close();
}
