package yastack.kernel.dataplane.bench;

import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import yastack.api.config.Interface;
import yastack.api.config.Rss;
import yastack.api.config.Stack;
import yastack.kernel.dataplane.Dataplane;
import yastack.kernel.dataplane.DataplaneHost;
import yastack.kernel.dataplane.PortOpener;
import yastack.kernel.fixtures.BuiltInSteering;
import yastack.kernel.fixtures.Frames;
import yastack.kernel.fixtures.Shell;
import yastack.kernel.io.MacAddress;
import yastack.kernel.io.PacketPort;
import yastack.kernel.io.TxBatch;
import yastack.kernel.io.dpdk.DpdkEal;
import yastack.kernel.io.dpdk.DpdkPort;
import yastack.kernel.io.dpdk.DpdkPortConfig;
import yastack.kernel.io.mem.MemorySwitch;
import yastack.kernel.io.tap.TapConfig;
import yastack.kernel.io.tap.TapPort;
import yastack.kernel.loop.DataPathPoller;
import yastack.kernel.loop.WorkerGroup;
import yastack.kernel.stats.StatsStore;
import yastack.stack.Stat;

/**
 * Packets per second through the data plane's poll loop: a generator thread sends small UDP
 * datagrams of many flows to the stack's address; every worker's shard has a socket on the
 * port that reads them. The rate is what the shards delivered to their sockets (the stack's
 * {@code udp.rx}), so frames lost at a full ring do not count. Workers run in busy mode.
 *
 * <pre>
 * flock /tmp/yastack-mvn.lock mvn -B -q -o -pl kernel -am test-compile
 * java --enable-native-access=ALL-UNNAMED -cp "kernel/target/classes:kernel/target/test-classes:$(cat cp.txt)" \
 *     yastack.kernel.dataplane.bench.DataplaneBench [--seconds 3] [--workers 1,2] [--flows 1024] [--dispatch CORE] \
 *     [mem,tap,ring,afpacket]
 * </pre>
 * ({@code cp.txt} from {@code mvn -pl kernel dependency:build-classpath -Dmdep.outputFile=cp.txt}.)
 * One worker polls the port itself; two or more use the configured RSS mode, here software
 * (the distributor on worker 0, or on its own thread with {@code --dispatch}). {@code --inline} runs
 * all pollers on the generator's thread instead of the worker loops: the CPU cost per frame with
 * no scheduler in the way (on a small shared machine the threaded numbers mostly measure that). The generator keeps
 * at most 512 frames in flight (2048 in memory) (a closed loop), so the numbers are sustained rates, not drop rates.
 */
public final class DataplaneBench {
    private static final int UDP_PORT = 9999;
    private static final int OURS = 0x0a580002, GEN = 0x0a580001;
    private static final MacAddress GEN_MAC = MacAddress.parse("02:00:00:00:0b:01");
    private static final MacAddress DP_MAC = MacAddress.parse("02:00:00:00:0b:02");

    private double seconds = 3;
    private boolean inline;
    private int flows = 1024;
    private int dispatchCore;

    public static void main(String[] args) throws Exception {
        DataplaneBench b = new DataplaneBench();
        List<Integer> workers = List.of(1, 2);
        List<String> backends = List.of("mem", "tap", "ring", "afpacket");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--seconds" -> b.seconds = Double.parseDouble(args[++i]);
                case "--flows" -> b.flows = Integer.parseInt(args[++i]);
                case "--dispatch" -> b.dispatchCore = Integer.parseInt(args[++i]);
                case "--inline" -> b.inline = true;
                case "--workers" -> workers = Arrays.stream(args[++i].split(",")).map(Integer::valueOf).toList();
                default -> backends = Arrays.asList(args[i].split(","));
            }
        }
        if (b.seconds <= 0 || b.seconds > 60 || b.flows < 1 || b.flows > 60000) {
            throw new IllegalArgumentException("--seconds in (0, 60], --flows in 1..60000");
        }
        System.out.printf(Locale.ROOT, "%-9s %7s %-9s %12s %12s  %s%n", "backend", "workers", "rss", "offered/s", "delivered/s", "per worker");
        for (String backend : backends) {
            for (int w : workers) {
                try {
                    b.run(backend, w);
                } catch (RuntimeException e) {
                    System.out.printf(Locale.ROOT, "%-9s %7d skipped: %s%n", backend, w, e.getMessage());
                }
            }
        }
        System.exit(0);
    }

    private Stack stack(String backend, Interface.Builder itf) {
        Rss.Builder rss = Rss.newBuilder().setMode("software");
        if (dispatchCore > 0) rss.setDispatchCore(dispatchCore);
        return Stack.newBuilder().setIdle("busy").setRss(rss)
                .addInterfaces(itf.setName("b0").setBackend(backend).setIp("10.88.0.2/24")).build();
    }

    private void run(String backend, int workers) throws Exception {
        String sfx = Shell.uniqueSuffix();
        List<Runnable> cleanup = new ArrayList<>();
        try {
            switch (backend) {
                case "mem" -> {
                    MemorySwitch sw = new MemorySwitch();
                    PacketPort gen = sw.attach("gen", GEN_MAC, 1, 1500, 4096);
                    cleanup.add(gen::close);
                    measure("mem", workers, stack("memory", Interface.newBuilder()),
                            (spec, q, hw) -> sw.attach("dp", DP_MAC, q, 1500, 4096), gen, 0, null);
                }
                case "tap" -> {
                    requireRoot();
                    String br = "ydbbr" + sfx, dpDev = "ydbd" + sfx, genDev = "ydbg" + sfx;
                    cleanup.add(() -> Shell.quietly("ip", "link", "del", br));
                    cleanup.add(() -> Shell.quietly("ip", "link", "del", genDev));
                    cleanup.add(() -> Shell.quietly("ip", "link", "del", dpDev));
                    Shell.must("ip", "link", "add", br, "type", "bridge");
                    Shell.must("ip", "link", "set", br, "up");
                    TapPort gen = TapPort.open(TapConfig.of(genDev).withMac(GEN_MAC));
                    cleanup.addFirst(gen::close);
                    Runnable bridge = () -> {
                        for (String t : List.of(genDev, dpDev)) {
                            Shell.quietly("sysctl", "-qw", "net.ipv6.conf." + t + ".disable_ipv6=1");
                            Shell.must("ip", "link", "set", t, "master", br);
                        }
                    };
                    measure("tap", workers, stack("tap", Interface.newBuilder().setDevice(dpDev).setMac(DP_MAC.toString())),
                            PortOpener.BACKENDS, gen, 0, bridge);
                }
                case "ring" -> {
                    DpdkEal eal = eal();
                    int id = eal.probe("net_ring_d" + sfx);
                    // net_ring loops a port's transmit ring into its receive ring; the generator
                    // shares queue 0 with the data plane, which transmits nothing once started
                    DpdkPort[] port = new DpdkPort[1];
                    measure("ring", workers, stack("dpdk", Interface.newBuilder()), (spec, q, hw) -> {
                        port[0] = eal.open(id, DpdkPortConfig.defaults(1));
                        return port[0];
                    }, null, 0, null);
                }
                case "afpacket" -> {
                    DpdkEal eal = eal();
                    String va = "ydbva" + sfx, vb = "ydbvb" + sfx;
                    cleanup.add(() -> Shell.quietly("ip", "link", "del", va));
                    Shell.must("ip", "link", "add", va, "type", "veth", "peer", "name", vb);
                    for (String v : List.of(va, vb)) {
                        Shell.quietly("sysctl", "-qw", "net.ipv6.conf." + v + ".disable_ipv6=1");
                        Shell.must("ip", "link", "set", v, "up");
                    }
                    DpdkPort gen = eal.open(eal.probe("net_af_packet_g" + sfx + ",iface=" + vb), DpdkPortConfig.defaults(1));
                    cleanup.addFirst(gen::close);
                    measure("afpacket", workers, stack("dpdk", Interface.newBuilder().setVdev("net_af_packet_d" + sfx + ",iface=" + va)),
                            PortOpener.BACKENDS, gen, 0, null);
                }
                default -> throw new IllegalArgumentException("unknown backend " + backend + " (mem, tap, ring, afpacket)");
            }
        } finally {
            for (Runnable r : cleanup) r.run();
        }
    }

    /** Starts the data plane, offers traffic for the time set, prints delivered datagrams per second. */
    private void measure(String label, int workers, Stack stack, PortOpener opener, PacketPort gen, int genQueue,
                         Runnable afterStart) throws Exception {
        StatsStore stats = new StatsStore(workers);
        WorkerGroup group = inline ? null : WorkerGroup.start(workers, stack.getIdle(), stack.getCoresList(), "", stats);
        InlineHost inlineHost = inline ? new InlineHost(workers) : null;
        try (Dataplane dp = Dataplane.start(stack, inline ? inlineHost : DataplaneHost.of(group), stats, opener, BuiltInSteering.POLICIES)) {
            if (afterStart != null) afterStart.run();
            for (int w = 0; w < workers; w++) {
                int worker = w;
                dp.onWorker(w, () -> {
                    ByteBuffer buf = ByteBuffer.allocate(2048);
                    return dp.shard(worker, "b0").openUdp(UDP_PORT, s -> {
                        while (s.receive(buf.clear()) >= 0) {
                            // consume
                        }
                    });
                }).get(10, TimeUnit.SECONDS);
            }
            PacketPort genPort = gen != null ? gen : dp.port("b0");
            MacAddress dst = new MacAddress(dp.shard(0, "b0").mac());
            if (inlineHost != null) inlineHost.pollAll();
            Thread.sleep(300); // start-up ARP announcements are out before the generator shares a queue
            long offered = 0;
            long[] before = new long[workers];
            long[] pollsBefore = new long[workers];
            try (TxBatch tx = genPort.newTxBatch(genQueue)) {
                for (int phase = 0; phase < 2; phase++) {
                    double secs = phase == 0 ? Math.min(1, seconds / 3) : seconds;
                    for (int w = 0; w < workers; w++) {
                        before[w] = delivered(dp, w);
                        pollsBefore[w] = stats.value("worker." + w + ".loop_polls");
                    }
                    long start = System.nanoTime(), end = start + (long) (secs * 1e9);
                    offered = 0;
                    int flow = 0;
                    long rounds = 0;
                    int waits = 0;
                    int window = label.equals("mem") ? 2048 : 512; // below the receive ring sizes
                    long base = 0;
                    for (int w = 0; w < workers; w++) base += before[w];
                    while ((rounds++ & 15) != 0 || System.nanoTime() < end) {
                        // closed loop: at most WINDOW frames in flight, so the rate is what the
                        // loop sustains rather than how fast full rings drop
                        if (offered - (deliveredTotal(dp, workers) - base) > window) {
                            // spin briefly, then let the workers have the core (small machines)
                            if (++waits < 2000) Thread.onSpinWait(); else Thread.yield();
                            if (System.nanoTime() > end) break;
                            continue;
                        }
                        waits = 0;
                        for (int i = 0; i < PacketPort.MAX_BURST; i++) {
                            long off = tx.acquire();
                            if (off < 0) break;
                            tx.commit(Frames.udp(tx.buffer(), off, dst, GEN_MAC, GEN, OURS, 10000 + flow, UDP_PORT, (int) rounds, 18));
                            if (++flow == flows) flow = 0;
                        }
                        offered += tx.flush();
                        if (inlineHost != null) {
                            while (inlineHost.pollAll() > 0) {
                                // drain what this burst caused
                            }
                        }
                    }
                    if (phase == 1) {
                        if (inlineHost == null) Thread.sleep(100); // let the workers finish what is in their rings
                        double elapsed = (System.nanoTime() - start) / 1e9;
                        StringBuilder per = new StringBuilder();
                        long total = 0;
                        for (int w = 0; w < workers; w++) {
                            long d = delivered(dp, w) - before[w];
                            total += d;
                            per.append(String.format(Locale.ROOT, "%.2fM ", d / elapsed / 1e6));
                        }
                        long polls = 0;
                        for (int w = 0; w < workers; w++) polls += stats.value("worker." + w + ".loop_polls") - pollsBefore[w];
                        System.out.printf(Locale.ROOT, "%-9s %7d %-9s %12.0f %12.0f  %s (loop rounds/s %.2fM)%n", label, workers,
                                dp.rssMode("b0"), offered / elapsed, total / elapsed, per.toString().trim(), polls / elapsed / 1e6);
                    }
                }
            }
        } finally {
            if (group != null) group.close();
        }
    }

    /**
     * Runs every worker's pollers on the generator's thread, one after the other: the CPU cost
     * of the data path per frame with no scheduling in the way (what one core does).
     */
    private static final class InlineHost implements DataplaneHost {
        private final int workers;
        private final List<DataPathPoller> pollers = new ArrayList<>();

        InlineHost(int workers) {
            this.workers = workers;
        }

        @Override
        public int workerCount() {
            return workers;
        }

        @Override
        public void addPoller(int worker, DataPathPoller poller) {
            pollers.add(poller);
        }

        @Override
        public Executor executor(int worker) {
            return Runnable::run;
        }

        int pollAll() {
            long now = System.nanoTime();
            int work = 0;
            for (DataPathPoller p : pollers) work += p.poll(now);
            return work;
        }
    }

    private static long deliveredTotal(Dataplane dp, int workers) {
        // the shard counters are plain fields: the fence keeps the JIT from hoisting the read out of the spin
        VarHandle.fullFence();
        long t = 0;
        for (int w = 0; w < workers; w++) t += delivered(dp, w);
        return t;
    }

    private static long delivered(Dataplane dp, int worker) {
        return dp.shard(worker, "b0").stats().get(Stat.UDP_RX);
    }

    private static DpdkEal eal() {
        requireRoot();
        DpdkEal.unavailableReason().ifPresent(r -> {
            throw new IllegalStateException(r);
        });
        return DpdkEal.current().orElseGet(() -> DpdkEal.init(List.of("-l", "0", "--no-pci", "--no-huge", "-m", "512",
                "--no-shconf", "--no-telemetry", "--file-prefix", "ydbench" + ProcessHandle.current().pid())));
    }

    private static void requireRoot() {
        if (!Shell.isRoot()) throw new IllegalStateException("needs root");
    }
}
