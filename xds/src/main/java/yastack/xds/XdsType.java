package yastack.xds;

import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;

/**
 * The four resource types the client subscribes to over ADS, in the order Envoy sends its
 * first requests (clusters and their endpoints before the listeners that use them).
 * Listeners and clusters are wildcard subscriptions (every response is the whole set);
 * routes and endpoints are named by what the listeners and clusters reference.
 */
enum XdsType {
    CLUSTER("type.googleapis.com/envoy.config.cluster.v3.Cluster", Cluster.class, true, "cluster_manager.cds"),
    ENDPOINT("type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment", ClusterLoadAssignment.class, false, null),
    LISTENER("type.googleapis.com/envoy.config.listener.v3.Listener", Listener.class, true, "listener_manager.lds"),
    ROUTE("type.googleapis.com/envoy.config.route.v3.RouteConfiguration", RouteConfiguration.class, false, null),
    SECRET("type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret", Secret.class, false, null);

    final String typeUrl;
    final Class<? extends Message> messageClass;
    final boolean wildcard;
    /** Stats prefix of the whole subscription (Envoy's), or null when stats are per resource. */
    final String statsPrefix;

    XdsType(String typeUrl, Class<? extends Message> messageClass, boolean wildcard, String statsPrefix) {
        this.typeUrl = typeUrl;
        this.messageClass = messageClass;
        this.wildcard = wildcard;
        this.statsPrefix = statsPrefix;
    }

    static XdsType of(String typeUrl) {
        for (XdsType t : values()) if (t.typeUrl.equals(typeUrl)) return t;
        return null;
    }

    /** A resource's name: what the others reference it by. */
    String name(Message m) {
        return switch (m) {
            case Listener l -> l.getName();
            case RouteConfiguration r -> r.getName();
            case Cluster c -> c.getName();
            case ClusterLoadAssignment a -> a.getClusterName();
            case Secret x -> x.getName();
            default -> throw new IllegalArgumentException(m.getClass().getName());
        };
    }

    /** How NACK details and logs name a resource of this type, e.g. {@code Listener 'web'}. */
    String label(String name) {
        return messageClass.getSimpleName() + " '" + name + "'";
    }
}
