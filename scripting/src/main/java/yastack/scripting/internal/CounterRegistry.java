package yastack.scripting.internal;

import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import yastack.api.PluginStats;

/** Counters by full name, used when the embedding process supplies no stats sink of its own. */
public final class CounterRegistry {
    private final Map<String, PluginStats.Counter> counters = new ConcurrentHashMap<>();

    public PluginStats.Counter counter(String fullName) {
        return counters.computeIfAbsent(fullName, n -> new PluginStats.Counter() {
            private final LongAdder adder = new LongAdder();

            @Override
            public void add(long delta) {
                if (delta < 0) throw new IllegalArgumentException("counters only go up");
                adder.add(delta);
            }

            @Override
            public long value() {
                return adder.sum();
            }
        });
    }

    public SortedMap<String, Long> snapshot() {
        SortedMap<String, Long> out = new TreeMap<>();
        counters.forEach((k, v) -> out.put(k, v.value()));
        return out;
    }
}
