package yastack.kernel.dataplane;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import yastack.kernel.io.PortStats;
import yastack.kernel.stats.StatsStore;
import yastack.stack.ArpEntry;
import yastack.stack.NetStack;
import yastack.stack.Stat;

/**
 * What the admin API shows about the data plane ({@code GET /workers}, {@code GET /stack}) and
 * the drain switch ({@code POST /workers/N/drain|undrain}). Shard state that is not a plain
 * counter (connection table, neighbour cache) is read on the shard's own worker thread.
 */
public final class DataplaneAdmin {
    /** Stack drops that mean a frame could not be parsed. */
    static final EnumSet<Stat> PARSE_ERRORS = EnumSet.of(Stat.ETH_DROP_TRUNCATED, Stat.IP_DROP_TRUNCATED,
            Stat.IP_DROP_BAD_VERSION, Stat.IP_DROP_BAD_HEADER_LENGTH, Stat.IP_DROP_BAD_TOTAL_LENGTH,
            Stat.IP_DROP_BAD_CHECKSUM, Stat.TCP_DROP_TRUNCATED, Stat.TCP_DROP_BAD_HEADER, Stat.TCP_DROP_BAD_CHECKSUM,
            Stat.UDP_DROP_TRUNCATED, Stat.UDP_DROP_BAD_LENGTH, Stat.UDP_DROP_BAD_CHECKSUM, Stat.ICMP_DROP_TRUNCATED,
            Stat.ICMP_DROP_BAD_CHECKSUM, Stat.ARP_DROP_MALFORMED);

    private final Dataplane dp;
    private final StatsStore stats;

    public DataplaneAdmin(Dataplane dp, StatsStore stats) {
        this.dp = dp;
        this.stats = stats;
    }

    /** {@code GET /workers}. */
    public JsonArray workers() {
        JsonArray out = new JsonArray();
        for (int w = 0; w < dp.workerCount(); w++) {
            String p = "worker." + w + ".";
            long parse = stats.value(p + "drop_parse_error");
            long connections = 0;
            for (String iface : dp.interfaceNames()) {
                Shard s = dp.runtime(iface).shards[w];
                for (Stat st : PARSE_ERRORS) parse += s.stack.stats().get(st);
                connections += s.stack.tcpConnectionCount();
            }
            long busy = stats.value(p + "loop_busy_ns"), total = stats.value(p + "loop_total_ns");
            out.add(new JsonObject().put("worker", w)
                    .put("drained", dp.workers().isDrained(w))
                    .put("flows", dp.flowCount(w))
                    .put("tcp_connections", connections)
                    .put("rx_packets", stats.value(p + "rx_packets")).put("rx_bytes", stats.value(p + "rx_bytes"))
                    .put("tx_packets", stats.value(p + "tx_packets")).put("tx_bytes", stats.value(p + "tx_bytes"))
                    .put("drops", new JsonObject().put("ring_full", stats.value(p + "drop_ring_full"))
                            .put("no_buffer", stats.value(p + "drop_no_buffer")).put("parse_error", parse))
                    .put("loop", new JsonObject().put("polls", stats.value(p + "loop_polls"))
                            .put("busy_polls", stats.value(p + "loop_busy_polls"))
                            .put("busy_fraction", total == 0 ? 0.0 : Math.round(1000.0 * busy / total) / 1000.0)));
        }
        return out;
    }

    /**
     * {@code POST /workers/N/drain} ({@code drain} true) or {@code undrain}: the worker's new
     * state, or an {@link IllegalArgumentException} for a worker that does not exist.
     */
    public JsonObject drain(int worker, boolean drain) {
        boolean changed = drain ? dp.drain(worker) : dp.undrain(worker);
        return new JsonObject().put("worker", worker).put("drained", dp.workers().isDrained(worker))
                .put("changed", changed).put("flows", dp.flowCount(worker));
    }

    /** Parses {@code /workers/N/drain} or {@code /workers/N/undrain}; null when the path is neither. */
    public static Object[] parseDrainPath(String path) {
        String[] parts = path.split("/");
        if (parts.length != 4 || !parts[1].equals("workers") || !(parts[3].equals("drain") || parts[3].equals("undrain"))) {
            return null;
        }
        try {
            return new Object[] {Integer.parseInt(parts[2]), parts[3].equals("drain")};
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** {@code GET /stack}: blocks up to a few seconds for the workers to report their shards. */
    public JsonObject stack() {
        JsonArray ifaces = new JsonArray();
        int workers = dp.workerCount();
        List<CompletableFuture<List<ShardView>>> views = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            int worker = w;
            views.add(dp.onWorker(w, () -> {
                List<ShardView> l = new ArrayList<>();
                for (String iface : dp.interfaceNames()) {
                    NetStack s = dp.shard(worker, iface);
                    l.add(new ShardView(s.stats().snapshot(), s.arpTable()));
                }
                return l;
            }));
        }
        List<List<ShardView>> byWorker = new ArrayList<>();
        for (CompletableFuture<List<ShardView>> f : views) {
            try {
                byWorker.add(f.get(3, TimeUnit.SECONDS));
            } catch (Exception e) {
                byWorker.add(null); // a stuck worker must not hide the others
            }
        }
        List<String> names = dp.interfaceNames();
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            InterfaceRuntime rt = dp.runtime(name);
            Map<String, Long> sums = new TreeMap<>();
            Map<String, JsonObject> arp = new TreeMap<>();
            JsonArray perWorker = new JsonArray();
            for (int w = 0; w < workers; w++) {
                List<ShardView> v = byWorker.get(w);
                if (v == null) {
                    perWorker.add(new JsonObject().put("worker", w).put("error", "worker did not answer in time"));
                    continue;
                }
                ShardView sv = v.get(i);
                JsonObject states = new JsonObject();
                sv.counters.forEach((k, val) -> {
                    if (k.startsWith("tcp.state.")) {
                        if (val != 0) states.put(k.substring("tcp.state.".length()), val);
                    } else {
                        sums.merge(k, val, Long::sum);
                    }
                });
                perWorker.add(new JsonObject().put("worker", w).put("tcp_connections_by_state", states)
                        .put("tcp_retransmits", sv.counters.getOrDefault(Stat.TCP_RETRANSMITS.key(), 0L)));
                for (ArpEntry e : sv.arp) {
                    JsonObject o = arp.computeIfAbsent(e.address(), a -> new JsonObject().put("address", a)
                            .put("mac", e.mac()).put("resolved", e.resolved()).put("expires_in_ms", e.expiresInMillis())
                            .put("workers", new JsonArray()));
                    if (e.resolved() && !o.getBoolean("resolved")) {
                        o.put("mac", e.mac()).put("resolved", true).put("expires_in_ms", e.expiresInMillis());
                    }
                    o.getJsonArray("workers").add(w);
                }
            }
            JsonObject drops = new JsonObject();
            sums.forEach((k, v) -> {
                if (k.contains(".drop.") && v != 0) drops.put(k, v);
            });
            PortStats ps = rt.port.stats();
            ifaces.add(new JsonObject().put("name", name).put("backend", rt.spec.backend()).put("device", rt.port.name())
                    .put("ip", rt.spec.addressText() + "/" + rt.spec.prefixLength())
                    .put("gateway", rt.spec.gateway() == 0 ? null : Ipv4.text(rt.spec.gateway()))
                    .put("mac", rt.stackMac.toString()).put("mtu", rt.shards[0].stack.config().mtu())
                    .put("link_up", rt.port.linkUp()).put("queues", rt.port.queueCount())
                    .put("rss", new JsonObject().put("configured", dp.configuredRssMode()).put("effective", dp.rssMode(name))
                            .put("note", rt.modeNote))
                    .put("port", new JsonObject().put("rx_packets", ps.rxPackets()).put("rx_bytes", ps.rxBytes())
                            .put("tx_packets", ps.txPackets()).put("tx_bytes", ps.txBytes())
                            .put("rx_no_buffer", ps.rxNoBuffer()).put("rx_ring_full", ps.rxRingFull()).put("rx_errors", ps.rxErrors())
                            .put("tx_no_buffer", ps.txNoBuffer()).put("tx_ring_full", ps.txRingFull()).put("tx_errors", ps.txErrors()))
                    .put("arp", new JsonArray(new ArrayList<>(arp.values())))
                    .put("workers", perWorker)
                    .put("tcp_retransmits", sums.getOrDefault(Stat.TCP_RETRANSMITS.key(), 0L))
                    .put("drops", drops)
                    .put("flows_in_distributor", rt.distributor == null ? null : rt.distributor.table().size()));
        }
        return new JsonObject().put("workers", workers).put("interfaces", ifaces);
    }

    private record ShardView(Map<String, Long> counters, List<ArpEntry> arp) {
    }
}
