package yastack.xds;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import yastack.api.config.Bootstrap;
import yastack.xds.translate.ClusterTranslator;
import yastack.xds.translate.EndpointTranslator;
import yastack.xds.translate.ListenerTranslator;
import yastack.xds.translate.Rejection;
import yastack.xds.translate.RouteTranslator;
import yastack.xds.translate.SecretTranslator;

/**
 * Turns one response of a type into that type's next set of accepted resources: unpacks and
 * checks each resource (type, name, duplicates, static names), keeps what did not change with
 * its translation and version, and translates the rest. Nothing is applied here; any bad
 * resource rejects the whole response.
 */
final class UpdateDecoder {
    private final ListenerTranslator listeners;

    UpdateDecoder(ListenerTranslator listeners) {
        this.listeners = listeners;
    }

    /** {@code s}'s resources after {@code u}, translated; throws (nothing changed) when any of it is bad. */
    Map<String, Accepted> decode(TypeState s, Update u, Bootstrap file) throws Rejection {
        XdsType type = s.type;
        Map<String, Accepted> out = new LinkedHashMap<>();
        // What a response does not carry stays, unless it is the whole set (state of the world's
        // listeners and clusters) or names it removed (delta).
        if (!u.complete()) {
            s.resources.forEach((n, a) -> {
                if ((type.wildcard || s.names.contains(n)) && !u.removed().contains(n)) out.put(n, a);
            });
        }
        Set<String> seen = new HashSet<>();
        Instant now = Instant.now();
        for (Update.Incoming in : u.resources()) {
            Any any = in.resource();
            if (!any.getTypeUrl().equals(type.typeUrl)) {
                throw new Rejection("", "a " + type.typeUrl + " response carries a resource of type " + any.getTypeUrl());
            }
            Message m;
            try {
                m = any.unpack(type.messageClass);
            } catch (InvalidProtocolBufferException e) {
                throw new Rejection("", "cannot decode a " + type.messageClass.getSimpleName() + ": " + e.getMessage());
            }
            String name = type.name(m);
            if (name.isEmpty()) throw new Rejection("", "a " + type.messageClass.getSimpleName() + " without a name");
            if (!in.name().isEmpty() && !in.name().equals(name)) {
                throw new Rejection("", type.label(name) + " is sent under the name '" + in.name() + "'");
            }
            if (!seen.add(name)) throw new Rejection("", type.label(name) + " appears twice in the response");
            if (!type.wildcard && !s.names.contains(name)) continue;
            Accepted prev = s.resources.get(name);
            if (prev != null && prev.resource().equals(m)) {
                // State of the world: an unchanged resource keeps the version that last changed it;
                // delta: the control plane's version for it.
                out.put(name, !u.perResourceVersions() || prev.version().equals(in.version()) ? prev
                        : new Accepted(prev.resource(), prev.translated(), in.version(), prev.lastUpdated()));
                continue;
            }
            try {
                out.put(name, new Accepted(m, translate(m), in.version(), now));
            } catch (Rejection e) {
                throw e.in(type.label(name));
            }
        }
        if (type == XdsType.LISTENER || type == XdsType.CLUSTER) {
            for (String name : out.keySet()) {
                if (staticNames(file, type).contains(name)) {
                    throw new Rejection("", type.label(name) + " is static (in the config file); names are unique across static and dynamic resources");
                }
            }
        }
        return out;
    }

    private Object translate(Message m) throws Rejection {
        return switch (m) {
            case Listener l -> listeners.translate(l);
            case RouteConfiguration r -> RouteTranslator.translate(r, "");
            case Cluster c -> ClusterTranslator.translate(c);
            case ClusterLoadAssignment a -> EndpointTranslator.translate(a, "");
            case Secret x -> SecretTranslator.translate(x);
            default -> throw new IllegalArgumentException(m.getClass().getName());
        };
    }

    /** The names of {@code type}'s resources in the config file. */
    static Set<String> staticNames(Bootstrap file, XdsType type) {
        Set<String> out = new HashSet<>();
        if (type == XdsType.LISTENER) file.getListenersList().forEach(l -> out.add(l.getName()));
        else file.getClustersList().forEach(c -> out.add(c.getName()));
        return out;
    }
}
