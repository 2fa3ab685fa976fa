package yastack.stack;

import java.util.LinkedHashMap;
import java.util.Map;

/** Per-shard counters: a plain long array indexed by {@link Stat}, so counting is a single increment. */
public final class StackStats {
    private static final Stat[] ALL = Stat.values();
    private final long[] values = new long[ALL.length];
    private final NetStack owner;

    StackStats(NetStack owner) {
        this.owner = owner;
    }

    void inc(Stat s) {
        values[s.ordinal()]++;
    }

    void add(Stat s, long n) {
        values[s.ordinal()] += n;
    }

    public long get(Stat s) {
        return values[s.ordinal()];
    }

    /** Value by dotted name, including the derived {@code tcp.state.*} gauges; 0 for unknown names. */
    public long get(String name) {
        Long v = snapshot().get(name);
        return v == null ? 0 : v;
    }

    /** All counters plus the live TCP connection count per state, as name to value, in a stable order. */
    public Map<String, Long> snapshot() {
        Map<String, Long> m = new LinkedHashMap<>();
        for (Stat s : ALL) {
            m.put(s.key, values[s.ordinal()]);
        }
        long[] byState = owner == null ? new long[TcpState.values().length] : owner.tcp.countByState();
        for (TcpState st : TcpState.values()) {
            m.put("tcp.state." + st.name().toLowerCase(), byState[st.ordinal()]);
        }
        return m;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        snapshot().forEach((k, v) -> {
            if (v != 0) {
                sb.append(k).append('=').append(v).append('\n');
            }
        });
        return sb.toString();
    }
}
