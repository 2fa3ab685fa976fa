package yastack.xds;

import java.util.Collection;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import yastack.api.config.DynamicResources;
import yastack.xds.translate.ClusterResource;
import yastack.xds.translate.ListenerResource;

/**
 * The client's subscriptions, one per resource type: CDS brings EDS, LDS brings RDS, and
 * either brings SDS, as {@code dynamic_resources} asks. Listeners and clusters are wildcards; the routes, secrets
 * and endpoints subscribed to are those the accepted listeners and clusters name.
 */
final class Subscriptions {
    private final Map<XdsType, TypeState> states = new EnumMap<>(XdsType.class);
    private final AdsProtocol<?, ?> protocol;

    Subscriptions(DynamicResources d, AdsProtocol<?, ?> protocol) {
        this.protocol = protocol;
        if (d.hasCdsConfig()) states.put(XdsType.CLUSTER, new TypeState(XdsType.CLUSTER));
        if (d.hasCdsConfig()) states.put(XdsType.ENDPOINT, new TypeState(XdsType.ENDPOINT));
        if (d.hasLdsConfig()) states.put(XdsType.LISTENER, new TypeState(XdsType.LISTENER));
        if (d.hasLdsConfig()) states.put(XdsType.ROUTE, new TypeState(XdsType.ROUTE));
        if (d.hasLdsConfig() || d.hasCdsConfig()) states.put(XdsType.SECRET, new TypeState(XdsType.SECRET));
    }

    /** {@code type}'s subscription, or null when the file does not ask for it. */
    TypeState get(XdsType type) {
        return states.get(type);
    }

    Collection<TypeState> all() {
        return states.values();
    }

    /** The same subscriptions by type, for the config dump. */
    Map<XdsType, TypeState> byType() {
        return states;
    }

    /** A new stream knows no nonce and no rejection: every subscription is sent again. */
    void streamOpened() {
        for (TypeState s : states.values()) {
            s.nonce = "";
            s.rejectedVersion = null;
            s.rejections = 0;
        }
        // Envoy's order: clusters and their endpoints, then listeners and their routes.
        for (XdsType t : XdsType.values()) {
            TypeState s = states.get(t);
            if (s != null && (t.wildcard || !s.names.isEmpty())) protocol.subscribe(s);
        }
    }

    /** Subscribes to the routes and endpoints the accepted listeners and clusters name. */
    void followReferences() {
        TypeState routes = states.get(XdsType.ROUTE);
        if (routes != null) {
            Set<String> names = new TreeSet<>();
            states.get(XdsType.LISTENER).resources.values().forEach(a -> {
                String rds = ((ListenerResource) a.translated()).rdsName();
                if (rds != null) names.add(rds);
            });
            resubscribe(routes, names);
        }
        TypeState secrets = states.get(XdsType.SECRET);
        if (secrets != null) {
            Set<String> names = new TreeSet<>();
            TypeState listeners = states.get(XdsType.LISTENER), clusters = states.get(XdsType.CLUSTER);
            if (listeners != null) listeners.resources.values().forEach(a -> names.addAll(((ListenerResource) a.translated()).secrets().names()));
            if (clusters != null) clusters.resources.values().forEach(a -> names.addAll(((ClusterResource) a.translated()).secrets().names()));
            resubscribe(secrets, names);
        }
        TypeState endpoints = states.get(XdsType.ENDPOINT);
        if (endpoints != null) {
            Set<String> names = new TreeSet<>();
            states.get(XdsType.CLUSTER).resources.values().forEach(a -> {
                String eds = ((ClusterResource) a.translated()).edsServiceName();
                if (eds != null) names.add(eds);
            });
            resubscribe(endpoints, names);
        }
    }

    private void resubscribe(TypeState s, Set<String> names) {
        if (names.equals(s.names)) return;
        Set<String> added = new TreeSet<>(names);
        added.removeAll(s.names);
        Set<String> removed = new TreeSet<>(s.names);
        removed.removeAll(names);
        s.names = names;
        s.resources.keySet().retainAll(names);
        protocol.resubscribe(s, added, removed);
    }
}
