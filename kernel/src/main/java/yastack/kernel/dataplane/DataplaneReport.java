package yastack.kernel.dataplane;

import java.util.ArrayList;
import java.util.LinkedHashMap;
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
import yastack.stack.StackConfig;
import yastack.stack.Stat;

/**
 * What the admin API shows about the data plane ({@code GET /workers}, {@code GET /stack}) and
 * the drain switch ({@code POST /workers/N/drain|undrain}), as JSON-shaped data (maps with
 * string keys in order, lists, strings, numbers, booleans, nulls) that the admin API encodes.
 * Shard state that is not a plain counter (connection table, neighbour cache) is read on the
 * shard's own worker thread.
 */
public final class DataplaneReport {
    /** Stack drops that mean a frame could not be parsed. */
    static final EnumSet<Stat> PARSE_ERRORS = EnumSet.of(Stat.ETH_DROP_TRUNCATED, Stat.IP_DROP_TRUNCATED,
            Stat.IP_DROP_BAD_VERSION, Stat.IP_DROP_BAD_HEADER_LENGTH, Stat.IP_DROP_BAD_TOTAL_LENGTH,
            Stat.IP_DROP_BAD_CHECKSUM, Stat.TCP_DROP_TRUNCATED, Stat.TCP_DROP_BAD_HEADER, Stat.TCP_DROP_BAD_CHECKSUM,
            Stat.UDP_DROP_TRUNCATED, Stat.UDP_DROP_BAD_LENGTH, Stat.UDP_DROP_BAD_CHECKSUM, Stat.ICMP_DROP_TRUNCATED,
            Stat.ICMP_DROP_BAD_CHECKSUM, Stat.ARP_DROP_MALFORMED);

    private final Dataplane dp;
    private final StatsStore stats;

    public DataplaneReport(Dataplane dp, StatsStore stats) {
        this.dp = dp;
        this.stats = stats;
    }

    /** {@code GET /workers}. */
    public List<Object> workers() {
        List<Object> out = new ArrayList<>();
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
            out.add(new Obj().with("worker", w)
                    .with("drained", dp.workers().isDrained(w))
                    .with("flows", dp.flowCount(w))
                    .with("tcp_connections", connections)
                    .with("rx_packets", stats.value(p + "rx_packets")).with("rx_bytes", stats.value(p + "rx_bytes"))
                    .with("tx_packets", stats.value(p + "tx_packets")).with("tx_bytes", stats.value(p + "tx_bytes"))
                    .with("drops", new Obj().with("ring_full", stats.value(p + "drop_ring_full"))
                            .with("no_buffer", stats.value(p + "drop_no_buffer")).with("parse_error", parse))
                    .with("loop", new Obj().with("polls", stats.value(p + "loop_polls"))
                            .with("busy_polls", stats.value(p + "loop_busy_polls"))
                            .with("busy_fraction", total == 0 ? 0.0 : Math.round(1000.0 * busy / total) / 1000.0)));
        }
        return out;
    }

    /**
     * {@code POST /workers/N/drain} ({@code drain} true) or {@code undrain}: the worker's new
     * state, or an {@link IllegalArgumentException} for a worker that does not exist.
     */
    public Obj drain(int worker, boolean drain) {
        boolean changed = drain ? dp.drain(worker) : dp.undrain(worker);
        return new Obj().with("worker", worker).with("drained", dp.workers().isDrained(worker))
                .with("changed", changed).with("flows", dp.flowCount(worker));
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
    public Obj stack() {
        List<Object> ifaces = new ArrayList<>();
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
            Map<String, Obj> arp = new TreeMap<>();
            List<Object> perWorker = new ArrayList<>();
            for (int w = 0; w < workers; w++) {
                List<ShardView> v = byWorker.get(w);
                if (v == null) {
                    perWorker.add(new Obj().with("worker", w).with("error", "worker did not answer in time"));
                    continue;
                }
                ShardView sv = v.get(i);
                Obj states = new Obj();
                sv.counters.forEach((k, val) -> {
                    if (k.startsWith("tcp.state.")) {
                        if (val != 0) states.with(k.substring("tcp.state.".length()), val);
                    } else {
                        sums.merge(k, val, Long::sum);
                    }
                });
                perWorker.add(new Obj().with("worker", w).with("tcp_connections_by_state", states)
                        .with("tcp_retransmits", sv.counters.getOrDefault(Stat.TCP_RETRANSMITS.key(), 0L)));
                for (ArpEntry e : sv.arp) {
                    Obj o = arp.computeIfAbsent(e.address(), a -> new Obj().with("address", a)
                            .with("mac", e.mac()).with("resolved", e.resolved()).with("expires_in_ms", e.expiresInMillis())
                            .with("workers", new ArrayList<>()));
                    if (e.resolved() && !(Boolean) o.get("resolved")) {
                        o.with("mac", e.mac()).with("resolved", true).with("expires_in_ms", e.expiresInMillis());
                    }
                    workersOf(o).add(w);
                }
            }
            Obj drops = new Obj();
            sums.forEach((k, v) -> {
                if (k.contains(".drop.") && v != 0) drops.with(k, v);
            });
            PortStats ps = rt.port.stats();
            ifaces.add(new Obj().with("name", name).with("backend", rt.spec.backend()).with("device", rt.port.name())
                    .with("ip", rt.spec.addressText() + "/" + rt.spec.prefixLength())
                    .with("gateway", rt.spec.gateway() == 0 ? null : Ipv4Addresses.text(rt.spec.gateway()))
                    .with("mac", rt.stackMac.toString()).with("mtu", rt.shards[0].stack.config().mtu())
                    .with("tcp", tcpOptions(rt.shards[0].stack.config()))
                    .with("link_up", rt.port.linkUp()).with("queues", rt.port.queueCount())
                    .with("rss", new Obj().with("configured", dp.configuredRssMode()).with("effective", dp.rssMode(name))
                            .with("note", rt.modeNote))
                    .with("port", new Obj().with("rx_packets", ps.rxPackets()).with("rx_bytes", ps.rxBytes())
                            .with("tx_packets", ps.txPackets()).with("tx_bytes", ps.txBytes())
                            .with("rx_no_buffer", ps.rxNoBuffer()).with("rx_ring_full", ps.rxRingFull()).with("rx_errors", ps.rxErrors())
                            .with("tx_no_buffer", ps.txNoBuffer()).with("tx_ring_full", ps.txRingFull()).with("tx_errors", ps.txErrors()))
                    .with("arp", new ArrayList<Object>(arp.values()))
                    .with("workers", perWorker)
                    .with("tcp_retransmits", sums.getOrDefault(Stat.TCP_RETRANSMITS.key(), 0L))
                    .with("drops", drops)
                    .with("flows_in_distributor", rt.distributor == null ? null : rt.distributor.table().size()));
        }
        return new Obj().with("workers", workers).with("interfaces", ifaces);
    }

    /** What the interface's TCP offers in a handshake and holds per connection (stack.tcp, or the defaults). */
    private static Obj tcpOptions(StackConfig c) {
        return new Obj().with("sack", c.sack()).with("timestamps", c.timestamps()).with("window_scaling", c.windowScaling())
                .with("ecn", c.ecn()).with("syn_cookies", c.synCookies())
                .with("send_buffer", c.tcpSendBuffer()).with("receive_buffer", c.tcpReceiveBuffer());
    }

    private record ShardView(Map<String, Long> counters, List<ArpEntry> arp) {
    }

    /** A JSON object: keys in the order written. */
    public static final class Obj extends LinkedHashMap<String, Object> {
        Obj with(String key, Object value) {
            put(key, value);
            return this;
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Object> workersOf(Obj arpEntry) {
        return (List<Object>) arpEntry.get("workers");
    }
}
