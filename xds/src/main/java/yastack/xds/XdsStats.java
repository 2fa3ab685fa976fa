package yastack.xds;

import com.google.protobuf.InvalidProtocolBufferException;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import yastack.xds.translate.ClusterResource;
import yastack.xds.translate.ListenerResource;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The client's stats in Envoy's names: {@code control_plane.connected_state},
 * {@code listener_manager.lds.*} and {@code cluster_manager.cds.*} (update_attempt,
 * update_success, update_rejected, update_failure, init_fetch_timeout),
 * {@code http.<stat_prefix>.rds.<route config>.*}, for EDS {@code cluster.<name>.update_*} and for SDS
 * {@code sds.<secret>.update_*}.
 * Read through the admin API's stats like every other counter.
 */
final class XdsStats {
    private final Map<String, AtomicLong> values = new ConcurrentHashMap<>();

    /** The resource names a response changes or removes, for per-resource stats; none for types counted per subscription. */
    static Set<String> namesIn(Update u) {
        XdsType type = u.type();
        if (type.statsPrefix != null) return Set.of();
        Set<String> names = new TreeSet<>(u.removed());
        for (Update.Incoming in : u.resources()) {
            try {
                names.add(type.name(in.resource().unpack(type.messageClass)));
            } catch (InvalidProtocolBufferException e) {
                // counted under the response as a whole when it is rejected
            }
        }
        return names;
    }

    /**
     * Envoy's update stats: per subscription for LDS and CDS, per route config (RDS, under each
     * accepted listener naming it) and per cluster (EDS, under each accepted cluster naming it).
     */
    void countUpdate(XdsType type, Set<String> names, String stat, Map<String, Accepted> listeners,
                     Map<String, Accepted> clusters) {
        if (type.statsPrefix != null) {
            inc(type.statsPrefix + "." + stat);
            return;
        }
        for (String name : names) {
            if (type == XdsType.SECRET) {
                inc("sds." + name + "." + stat);
            } else if (type == XdsType.ROUTE) {
                for (Accepted a : listeners.values()) {
                    ListenerResource l = (ListenerResource) a.translated();
                    if (name.equals(l.rdsName())) inc("http." + l.statPrefix() + ".rds." + name + "." + stat);
                }
            } else {
                for (var e : clusters.entrySet()) {
                    if (name.equals(((ClusterResource) e.getValue().translated()).edsServiceName())) {
                        inc("cluster." + e.getKey() + "." + stat);
                    }
                }
            }
        }
    }

    void inc(String name) {
        values.computeIfAbsent(name, k -> new AtomicLong()).incrementAndGet();
    }

    void set(String name, long value) {
        values.computeIfAbsent(name, k -> new AtomicLong()).set(value);
    }

    long get(String name) {
        AtomicLong v = values.get(name);
        return v == null ? 0 : v.get();
    }

    Map<String, Long> snapshot() {
        Map<String, Long> out = new TreeMap<>();
        values.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }
}
