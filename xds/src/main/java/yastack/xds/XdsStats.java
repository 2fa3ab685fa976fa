package yastack.xds;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The client's stats in Envoy's names: {@code control_plane.connected_state},
 * {@code listener_manager.lds.*} and {@code cluster_manager.cds.*} (update_attempt,
 * update_success, update_rejected, update_failure, init_fetch_timeout),
 * {@code http.<stat_prefix>.rds.<route config>.*} and, for EDS, {@code cluster.<name>.update_*}.
 * Read through the admin API's stats like every other counter.
 */
final class XdsStats {
    private final Map<String, AtomicLong> values = new ConcurrentHashMap<>();

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
