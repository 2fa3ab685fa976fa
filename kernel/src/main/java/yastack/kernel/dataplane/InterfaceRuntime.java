package yastack.kernel.dataplane;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import yastack.api.SteeringPolicy;
import yastack.api.config.StackTcp;
import yastack.kernel.io.MacAddress;
import yastack.kernel.io.PacketPort;
import yastack.kernel.io.dpdk.DpdkPort;
import yastack.kernel.io.mem.MemoryPort;
import yastack.kernel.io.rss.RedirectionTable;
import yastack.kernel.io.rss.Toeplitz;
import yastack.kernel.stats.StatsStore;
import yastack.kernel.stats.WorkerStats;
import yastack.kernel.util.Logs;
import yastack.stack.Clock;
import yastack.stack.FlowFilter;
import yastack.stack.FrameSink;
import yastack.stack.NetStack;
import yastack.stack.StackConfig;

/**
 * One configured interface at run time: its port, one NetStack shard per worker (same MAC
 * and address), and how frames reach the shards: the worker's own queue (hardware RSS, or a
 * single worker), or the software distributor and per-worker rings.
 */
final class InterfaceRuntime {
    private static final System.Logger LOG = Logs.get("yastack");
    private static final int TCP = 6;
    static final int RING_FRAMES = 1024;
    static final int FLOW_TABLE = 1 << 17;

    enum Mode { SINGLE, HARDWARE, SOFTWARE }

    final InterfaceSpec spec;
    private final StackTcp tcp;
    final PacketPort port;
    final Mode mode;
    final String modeNote;
    final MacAddress stackMac;
    final Shard[] shards;
    final Distributor distributor;
    private final ArpFanout fanout;
    private final Toeplitz toeplitz;
    private final RedirectionTable reta;
    private final List<TxSink> txSinks = new ArrayList<>();

    InterfaceRuntime(InterfaceSpec spec, StackTcp tcp, PacketPort port, boolean hardwareRequested,
                     Supplier<SteeringPolicy> steering, WorkerStates states, StatsStore stats, int distributorCells) {
        this.spec = spec;
        this.tcp = tcp;
        this.port = port;
        int workers = states.size();
        RedirectionTable hwReta = null;
        Toeplitz hwKey = null;
        String note;
        if (workers == 1) {
            mode = Mode.SINGLE;
            note = "one worker: it polls the port directly";
        } else if (hardwareRequested && port instanceof DpdkPort d && d.redirectionTable().isPresent()
                && d.rssKey().isPresent() && port.queueCount() == workers) {
            mode = Mode.HARDWARE;
            hwReta = d.redirectionTable().get();
            hwKey = new Toeplitz(d.rssKey().get());
            note = "device RSS over " + workers + " queues";
        } else if (hardwareRequested && port instanceof MemoryPort && port.queueCount() == workers) {
            // the in-memory switch spreads flows over a port's queues exactly as a NIC programmed
            // with the symmetric key and the default table does
            mode = Mode.HARDWARE;
            hwReta = RedirectionTable.roundRobin(workers);
            hwKey = Toeplitz.symmetric();
            note = "in-memory RSS over " + workers + " queues";
        } else {
            mode = Mode.SOFTWARE;
            note = hardwareRequested
                    ? "hardware RSS unavailable on " + port.name() + " (" + (port instanceof DpdkPort d ? d.rssStatus()
                    : "its queue choice is not a Toeplitz hash we can predict") + "): software distributor"
                    : "software distributor";
            if (hardwareRequested) {
                LOG.log(System.Logger.Level.WARNING, "interface " + spec.name() + ": " + note);
            }
        }
        this.modeNote = note;
        // a configured MAC wins (TAP ports already use it; DPDK ports run promiscuous); devices
        // with no address of their own (net_ring) get a random locally administered one
        this.stackMac = spec.mac() != null ? spec.mac()
                : port.mac().bits() != 0 ? port.mac() : MacAddress.randomLocal();
        this.toeplitz = hwKey != null ? hwKey : Toeplitz.symmetric();
        this.reta = hwReta != null ? hwReta : RedirectionTable.roundRobin(workers);
        int slot = (14 + 4 + Math.max(port.mtu(), spec.mtu() == 0 ? 1500 : spec.mtu()) + 63) & ~63;
        boolean ownTxQueues = port.queueCount() >= workers;

        shards = new Shard[workers];
        FrameRing[] toWorker = mode == Mode.SOFTWARE ? new FrameRing[workers] : null;
        FrameRing[] fromWorker = mode == Mode.SOFTWARE && !ownTxQueues ? new FrameRing[workers] : null;
        for (int w = 0; w < workers; w++) {
            WorkerCounters counters = new WorkerCounters(stats.worker(w), w);
            FrameSink sink;
            if (fromWorker != null) {
                fromWorker[w] = new FrameRing(RING_FRAMES, slot);
                sink = new RingSink(fromWorker[w], counters);
            } else {
                TxSink t = new TxSink(port.newTxBatch(mode == Mode.SINGLE ? 0 : w), counters);
                txSinks.add(t);
                sink = t;
            }
            NetStack stack = new NetStack(stackConfig(w), Clock.SYSTEM, sink);
            shards[w] = new Shard(w, stack, counters);
            if (toWorker != null) {
                toWorker[w] = new FrameRing(RING_FRAMES, slot);
            }
        }
        if (mode == Mode.SOFTWARE) {
            WorkerStats cells = stats.worker(distributorCells);
            distributor = new Distributor(spec.name(), port, spec.address(), toWorker, fromWorker,
                    new FlowTable(FLOW_TABLE, workers, 7_200_000_000_000L, 120_000_000_000L, 2_000_000_000L, 60_000_000_000L),
                    steering.get(), states, Toeplitz.symmetric(), cells);
            fanout = null;
            for (int w = 0; w < workers; w++) {
                shards[w].poller = new RingPoller(shards[w], toWorker[w]);
            }
        } else {
            distributor = null;
            fanout = mode == Mode.HARDWARE ? new ArpFanout(workers) : null;
            for (int w = 0; w < workers; w++) {
                shards[w].poller = new QueuePoller(shards[w], port, mode == Mode.SINGLE ? 0 : w, fanout);
            }
        }
    }

    private StackConfig stackConfig(int worker) {
        StackConfig c = TcpTuning.apply(tcp, new StackConfig())
                .mac(stackMac.bits())
                .address(spec.address(), spec.prefixLength())
                .mtu(spec.mtu() != 0 ? spec.mtu() : Math.max(576, Math.min(9216, port.mtu())))
                .gratuitousArp(worker == 0) // one announcement per interface is enough
                .randomSeed(System.nanoTime() ^ ((long) worker << 48) ^ spec.address());
        if (spec.gateway() != 0) {
            c.gateway(spec.gateway());
        }
        if (mode == Mode.HARDWARE) {
            // the device decides which queue a flow arrives on; a shard owns exactly those flows
            int w = worker, local = spec.address();
            RedirectionTable t = reta;
            Toeplitz k = toeplitz;
            c.flowFilter((proto, ra, rp, la, lp) -> t.queueOf(k.hashIpv4(ra, local, rp, lp)) == w);
        } else {
            // single worker: everything; software: the distributor's flow table already decided
            c.flowFilter(FlowFilter.ALL);
        }
        return c;
    }

    /**
     * A free local port for a TCP connection from {@code worker}'s shard to {@code remote}
     * whose replies come back to that worker; -1 when none is left. Call on the worker's thread.
     */
    int chooseLocalPort(int worker, int remote, int remotePort) {
        NetStack s = shards[worker].stack;
        int local = spec.address();
        if (mode == Mode.SINGLE) {
            return s.pickEphemeralPort(remote, remotePort, null);
        }
        int p = s.pickEphemeralPort(remote, remotePort,
                lp -> reta.queueOf(toeplitz.hashIpv4(remote, local, remotePort, lp)) == worker);
        if (mode == Mode.SOFTWARE) {
            if (p < 0) {
                p = s.pickEphemeralPort(remote, remotePort, null); // the claim below still routes it here
            }
            if (p > 0) {
                distributor.claim(TCP, remote, remotePort, p, worker);
            }
        }
        return p;
    }

    /** The worker whose shard receives inbound packets of this flow, as far as hashing alone says. */
    int hashedWorker(int remote, int remotePort, int localPort) {
        return reta.queueOf(toeplitz.hashIpv4(remote, spec.address(), remotePort, localPort));
    }

    /** Flows the distributor remembers for {@code worker} (software RSS), else the shard's TCP connections. */
    int flowCount(int worker) {
        return distributor != null ? distributor.table().owned(worker) : shards[worker].stack.tcpConnectionCount();
    }

    void closeSinks() {
        for (TxSink t : txSinks) {
            t.close();
        }
        if (distributor != null) {
            distributor.close();
        }
    }
}
