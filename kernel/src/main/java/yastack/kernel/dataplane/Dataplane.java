package yastack.kernel.dataplane;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import yastack.api.SteeringPolicy;
import yastack.api.config.Interface;
import yastack.api.config.Stack;
import yastack.kernel.io.PacketPort;
import yastack.kernel.loop.WorkerGroup;
import yastack.kernel.stats.StatsStore;
import yastack.kernel.util.Logs;
import yastack.stack.NetStack;
import yastack.stack.Stat;

/**
 * The userspace data plane: for every {@code stack.interfaces[]} entry a port, one NetStack
 * shard per worker, and the pollers that feed them on the workers' loops (directly from a
 * queue, or through the software distributor). Also where the transport layer finds a
 * worker's shard and a local port whose return traffic stays on that worker, and where the
 * admin API drains workers.
 */
public final class Dataplane implements AutoCloseable {
    private static final System.Logger LOG = Logs.get("yastack");

    private final DataplaneHost host;
    private final WorkerStates states;
    private final Map<String, InterfaceRuntime> interfaces = new LinkedHashMap<>();
    private final DispatchThread dispatchThread;
    private final String configuredMode;
    private final List<StoppablePoller> distributorPollers = new ArrayList<>();
    private volatile boolean closed;

    private Dataplane(Stack cfg, DataplaneHost host, StatsStore stats, PortOpener opener,
                      Function<String, SteeringPolicy> policies) {
        this.host = host;
        int workers = host.workerCount();
        this.states = new WorkerStates(workers);
        String mode = cfg.getRss().getMode();
        this.configuredMode = mode.isEmpty() ? (workers > 1 ? "software" : "hardware") : mode;
        boolean hardware = configuredMode.equals("hardware");
        // A script policy reaches the policy factory as "script:<file>" (see ProxyEngine).
        String named = cfg.getRss().getSteering().getScript().isEmpty() ? cfg.getRss().getSteering().getPlugin()
                : "script:" + cfg.getRss().getSteering().getScript();
        String policyName = named.isEmpty() ? "toeplitz" : named;
        // One policy per interface: each distributor keeps its own state (all run on one thread).
        // Policies are plugins (the built-ins too) or scripts; the kernel has none of its own.
        Supplier<SteeringPolicy> steering = () -> {
            SteeringPolicy p = policies.apply(policyName);
            if (p == null) throw new IllegalArgumentException("stack.rss.steering: no steering policy named '" + policyName + "'");
            return p;
        };
        boolean dedicated = cfg.getRss().getDispatchCore() > 0;
        // the distributor's counter cells belong to the thread that runs it
        int distributorCells = dedicated ? workers : 0;
        List<Distributor> distributors = new ArrayList<>();
        try {
            for (Interface itf : cfg.getInterfacesList()) {
                InterfaceSpec spec = InterfaceSpec.of(itf);
                PacketPort port = opener.open(spec, workers, hardware);
                try {
                    InterfaceRuntime rt = new InterfaceRuntime(spec, cfg.getTcp(), port, hardware, steering, states, stats, distributorCells);
                    interfaces.put(spec.name(), rt);
                    if (rt.distributor != null) distributors.add(rt.distributor);
                    LOG.log(System.Logger.Level.INFO, "stack: interface " + spec.name() + " " + spec.addressText() + "/" + spec.prefixLength()
                            + " mac " + rt.stackMac + " on " + port.name() + " (" + spec.backend() + ", "
                            + port.queueCount() + " queues): " + rt.modeNote);
                } catch (RuntimeException e) {
                    port.close();
                    throw e;
                }
            }
        } catch (RuntimeException e) {
            for (InterfaceRuntime rt : interfaces.values()) rt.port.close();
            throw e;
        }
        if (dedicated && !distributors.isEmpty()) {
            dispatchThread = new DispatchThread(distributors, cfg.getRss().getDispatchCore());
        } else {
            dispatchThread = null;
            for (Distributor d : distributors) {
                StoppablePoller p = new StoppablePoller() {
                    @Override
                    int doPoll(long now) {
                        return d.poll(now);
                    }
                };
                distributorPollers.add(p);
                host.addPoller(0, p);
            }
        }
        for (InterfaceRuntime rt : interfaces.values()) {
            for (Shard s : rt.shards) host.addPoller(s.worker, s.poller);
        }
        if (dispatchThread != null) dispatchThread.start();
        registerStats(stats);
    }

    /**
     * Starts the data plane of {@code config} on {@code workers}, with steering policies by name
     * from the plugin layer, e.g. {@code name -> registry.createSteering(name, cfg, "stack.rss.steering")}
     * (called once per interface; null when there is no such policy).
     */
    public static Dataplane start(Stack config, WorkerGroup workers, StatsStore stats,
                                  Function<String, SteeringPolicy> policies) {
        return start(config, workers, stats, PortOpener.BACKENDS, policies);
    }

    /** As above, with the ports opened by {@code ports} (tests: an in-memory switch). */
    public static Dataplane start(Stack config, WorkerGroup workers, StatsStore stats, PortOpener ports,
                                  Function<String, SteeringPolicy> policies) {
        return new Dataplane(config, DataplaneHost.of(workers), stats, ports, policies);
    }

    /** For tests and benchmarks: any host loops and port backends. */
    public static Dataplane start(Stack config, DataplaneHost host, StatsStore stats, PortOpener opener,
                                  Function<String, SteeringPolicy> policies) {
        return new Dataplane(config, host, stats, opener, policies);
    }

    private void registerStats(StatsStore stats) {
        for (InterfaceRuntime rt : interfaces.values()) {
            String p = "stack." + rt.spec.name() + ".";
            for (Stat st : Stat.values()) {
                stats.registerComputed(p + st.key(), () -> {
                    long sum = 0;
                    for (Shard s : rt.shards) sum += s.stack.stats().get(st);
                    return sum;
                });
            }
        }
        for (int w = 0; w < states.size(); w++) {
            int worker = w;
            stats.registerComputed("worker." + w + ".flows", () -> flowCount(worker));
            stats.registerComputed("worker." + w + ".drained", () -> states.isDrained(worker) ? 1 : 0);
        }
    }

    // ---------------------------------------------------------------- for the transport layer

    public int workerCount() {
        return states.size();
    }

    public List<String> interfaceNames() {
        return List.copyOf(interfaces.keySet());
    }

    /** Worker {@code worker}'s shard of interface {@code iface}; use it only on that worker's thread. */
    public NetStack shard(int worker, String iface) {
        return runtime(iface).shards[worker].stack;
    }

    /** The shard of the interface owning {@code address}, or null when no interface has it. */
    public NetStack shardForAddress(int worker, InetAddress address) {
        int a = Ipv4Addresses.of(address);
        for (InterfaceRuntime rt : interfaces.values()) {
            if (rt.spec.address() == a) return rt.shards[worker].stack;
        }
        return null;
    }

    /**
     * A free local port for a TCP connection from {@code worker} to {@code remoteIp:remotePort} over
     * {@code iface} whose return packets reach the same worker (hardware RSS: the device's hash
     * and redirection table say so; software RSS: the distributor is told the flow's owner, and
     * the port is also one the Toeplitz table maps there). -1 when none is free. Call on the worker's thread.
     */
    public int chooseLocalPort(int worker, String iface, InetAddress remoteIp, int remotePort) {
        return chooseLocalPort(worker, iface, Ipv4Addresses.of(remoteIp), remotePort);
    }

    public int chooseLocalPort(int worker, String iface, int remoteIp, int remotePort) {
        return runtime(iface).chooseLocalPort(worker, remoteIp, remotePort);
    }

    // ---------------------------------------------------------------- operations

    /** New flows avoid {@code worker}; its flows stay. Returns false if it was drained already. */
    public boolean drain(int worker) {
        return setDrained(worker, true);
    }

    public boolean undrain(int worker) {
        return setDrained(worker, false);
    }

    private boolean setDrained(int worker, boolean drained) {
        if (worker < 0 || worker >= states.size()) {
            throw new IllegalArgumentException("no worker " + worker + " (workers 0.." + (states.size() - 1) + ")");
        }
        boolean changed = states.setDrained(worker, drained);
        if (changed) {
            for (InterfaceRuntime rt : interfaces.values()) {
                if (rt.distributor != null) rt.distributor.workerDrained(worker, drained);
            }
            LOG.log(System.Logger.Level.INFO, "worker " + worker + (drained ? " drained: no new flows" : " takes new flows again"));
        }
        return changed;
    }

    public WorkerStates workers() {
        return states;
    }

    /** Flows owned by {@code worker} over all interfaces. */
    public int flowCount(int worker) {
        int n = 0;
        for (InterfaceRuntime rt : interfaces.values()) n += rt.flowCount(worker);
        return n;
    }

    public PacketPort port(String iface) {
        return runtime(iface).port;
    }

    /** {@code single}, {@code hardware} or {@code software}: how frames of {@code iface} reach the workers. */
    public String rssMode(String iface) {
        return runtime(iface).mode.name().toLowerCase();
    }

    public String rssNote(String iface) {
        return runtime(iface).modeNote;
    }

    public String configuredRssMode() {
        return configuredMode;
    }

    InterfaceRuntime runtime(String iface) {
        InterfaceRuntime rt = interfaces.get(iface);
        if (rt == null) {
            throw new IllegalArgumentException("no stack interface '" + iface + "' (have " + interfaces.keySet() + ")");
        }
        return rt;
    }

    /** Runs {@code work} on worker {@code worker}'s thread (where its shards may be read). */
    public <T> CompletableFuture<T> onWorker(int worker, Supplier<T> work) {
        return CompletableFuture.supplyAsync(work, host.executor(worker));
    }

    /** Stops polling, then closes the ports. The workers' loops keep running. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        if (dispatchThread != null) dispatchThread.stop();
        for (StoppablePoller p : distributorPollers) p.stop();
        for (InterfaceRuntime rt : interfaces.values()) {
            for (Shard s : rt.shards) s.poller.stop();
        }
        // every poller is idle once a task queued behind it has run on its worker
        for (int w = 0; w < states.size(); w++) {
            try {
                CompletableFuture.runAsync(() -> { }, host.executor(w)).get(5, TimeUnit.SECONDS);
            } catch (RejectedExecutionException e) {
                // the loop is gone, so nothing polls
            } catch (Exception e) {
                LOG.log(System.Logger.Level.WARNING, "stack: worker " + w + " did not acknowledge the stop: " + e);
            }
        }
        for (InterfaceRuntime rt : interfaces.values()) {
            try {
                rt.closeSinks();
            } finally {
                rt.port.close();
            }
        }
    }
}
