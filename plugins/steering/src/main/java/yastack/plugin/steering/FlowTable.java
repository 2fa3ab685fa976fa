package yastack.plugin.steering;

import java.util.LinkedHashMap;
import java.util.Map;
import yastack.api.FlowKey;

/**
 * Remembers which worker each flow went to, so a flow stays on its worker
 * while that worker drains. Both directions of a flow share one entry. Bounded:
 * past {@code maxFlows} the least recently seen flow is forgotten. Used by the
 * distributor thread only.
 */
final class FlowTable {
    private final LinkedHashMap<FlowKey.Ipv4, Integer> flows;

    FlowTable(int maxFlows) {
        this.flows = new LinkedHashMap<>(Math.min(maxFlows, 1 << 16), 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<FlowKey.Ipv4, Integer> eldest) {
                return size() > maxFlows;
            }
        };
    }

    /** The same key for both directions: the smaller (address, port) endpoint first. */
    static FlowKey.Ipv4 canonical(FlowKey f) {
        long a = ((f.sourceAddress() & 0xffffffffL) << 16) | (f.sourcePort() & 0xffff);
        long b = ((f.destinationAddress() & 0xffffffffL) << 16) | (f.destinationPort() & 0xffff);
        return a <= b ? f.copy() : f.reversed();
    }

    /** The worker remembered for {@code key}, or -1. */
    int get(FlowKey.Ipv4 key) {
        Integer w = flows.get(key);
        return w == null ? -1 : w;
    }

    void put(FlowKey.Ipv4 key, int worker) {
        flows.put(key, worker);
    }

    void remove(FlowKey f) {
        flows.remove(canonical(f));
    }

    int size() {
        return flows.size();
    }
}
