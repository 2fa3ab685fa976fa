package yastack.xds;

import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
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

    /** Subscribes to the routes, secrets and endpoints the accepted listeners and clusters name. */
    void followReferences() {
        follow(XdsType.ROUTE, names -> {
            for (ListenerResource l : this.<ListenerResource>accepted(XdsType.LISTENER)) if (l.rdsName() != null) names.add(l.rdsName());
        });
        follow(XdsType.SECRET, names -> {
            for (ListenerResource l : this.<ListenerResource>accepted(XdsType.LISTENER)) names.addAll(l.secrets().names());
            for (ClusterResource c : this.<ClusterResource>accepted(XdsType.CLUSTER)) names.addAll(c.secrets().names());
        });
        follow(XdsType.ENDPOINT, names -> {
            for (ClusterResource c : this.<ClusterResource>accepted(XdsType.CLUSTER)) if (c.edsServiceName() != null) names.add(c.edsServiceName());
        });
    }

    /** When {@code type} is subscribed to: the names {@code collect} gathers become its subscription. */
    private void follow(XdsType type, Consumer<Set<String>> collect) {
        TypeState s = states.get(type);
        if (s == null) return;
        Set<String> names = new TreeSet<>();
        collect.accept(names);
        resubscribe(s, names);
    }

    /** The translations of {@code type}'s accepted resources (none when it is not subscribed to). */
    @SuppressWarnings("unchecked")
    private <T> List<T> accepted(XdsType type) {
        TypeState s = states.get(type);
        return s == null ? List.of() : s.resources.values().stream().map(a -> (T) a.translated()).toList();
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
