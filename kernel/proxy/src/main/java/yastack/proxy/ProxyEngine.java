package yastack.proxy;

import com.google.protobuf.Struct;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import yastack.api.PluginConfigException;
import yastack.api.SteeringPolicy;
import yastack.api.config.Bootstrap;
import yastack.kernel.dataplane.Dataplane;
import yastack.kernel.dataplane.DataplaneNetwork;
import yastack.kernel.dataplane.PortOpener;
import yastack.kernel.loop.WorkerGroup;
import yastack.kernel.plugin.PluginRegistry;
import yastack.kernel.stats.StatsStore;
import yastack.kernel.transport.Sockets;
import yastack.proxy.cluster.ClusterRuntime;

/**
 * Everything that moves traffic, assembled from one typed config: the kernel's worker loops,
 * the userspace data plane when the config has stack interfaces, and the proxy's listeners
 * and clusters on both socket flavors. The server adds the admin API, the CLI and config
 * reload around it; tests start it directly.
 */
public final class ProxyEngine implements AutoCloseable {
    private final StatsStore stats;
    private final WorkerGroup workers;
    private final Dataplane dataplane;
    private final ProxyServer proxy;
    private final Scripts scripts;

    private ProxyEngine(Bootstrap cfg, Path baseDir, int workerCount, PluginRegistry plugins, PortOpener ports) {
        int n = workerCount(cfg, workerCount);
        // Scripts' cluster calls see the clusters of whatever config is current, once there is one.
        AtomicReference<ProxyServer> current = new AtomicReference<>();
        this.scripts = new Scripts(baseDir, plugins.stats(), () -> {
            ProxyServer s = current.get();
            return s == null ? Map.of() : s.clusters();
        });
        this.stats = new StatsStore(n);
        stats.registerSource(() -> plugins.stats().snapshot());
        String idle = cfg.hasStack() ? cfg.getStack().getIdle() : "";
        this.workers = WorkerGroup.start(n, idle, cfg.hasStack() ? cfg.getStack().getCoresList() : List.of(),
                cfg.getHostTransport(), stats);
        Dataplane dp = null;
        ProxyServer server = null;
        try {
            Sockets sockets = new Sockets(workers);
            if (cfg.hasStack() && cfg.getStack().getInterfacesCount() > 0) {
                // Before the listeners, so userspace ones find their shards.
                dp = Dataplane.start(cfg.getStack(), workers, stats, ports, name -> steering(name, plugins, scripts));
                sockets.attachUserspace(new DataplaneNetwork(dp, cfg.getStack()));
            }
            server = new ProxyServer(cfg, baseDir, sockets, stats, plugins, scripts);
            current.set(server);
            server.start();
        } catch (RuntimeException e) {
            if (server != null) server.close();
            if (dp != null) dp.close();
            workers.close();
            scripts.close();
            throw e;
        }
        this.dataplane = dp;
        this.proxy = server;
    }

    /**
     * Starts the engine or throws {@link IllegalStateException} with a message for the operator.
     *
     * @param workerCount worker count (0: from config, else one per core)
     */
    public static ProxyEngine start(Bootstrap cfg, Path baseDir, int workerCount, PluginRegistry plugins) {
        return new ProxyEngine(cfg, baseDir, workerCount, plugins, PortOpener.BACKENDS);
    }

    /**
     * As above, with the userspace interfaces' ports opened by {@code ports} instead of the
     * config's backends (tests: ports on an in-memory switch, so the userspace path needs no root).
     */
    public static ProxyEngine start(Bootstrap cfg, Path baseDir, int workerCount, PluginRegistry plugins, PortOpener ports) {
        return new ProxyEngine(cfg, baseDir, workerCount, plugins, ports);
    }

    /** --workers, else stack.cores, else stack.workers, else top-level workers, else one per core. */
    static int workerCount(Bootstrap cfg, int override) {
        if (override > 0) return override;
        if (cfg.hasStack() && cfg.getStack().getCoresCount() > 0) return cfg.getStack().getCoresCount();
        if (cfg.hasStack() && cfg.getStack().getWorkers() > 0) return cfg.getStack().getWorkers();
        if (cfg.getWorkers() > 0) return cfg.getWorkers();
        return Runtime.getRuntime().availableProcessors();
    }

    /** A steering policy by name: {@code script:<file>} from the script runtime, else a plugin (built-in or from a jar). */
    private static SteeringPolicy steering(String name, PluginRegistry plugins, Scripts scripts) {
        if (name.startsWith("script:")) return scripts.steering(name.substring("script:".length()));
        try {
            return plugins.createSteering(name, Struct.getDefaultInstance(), "stack.rss.steering");
        } catch (PluginConfigException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    public ProxyServer proxy() {
        return proxy;
    }

    /** The userspace data plane, or null when the config has no stack interfaces. */
    public Dataplane dataplane() {
        return dataplane;
    }

    public StatsStore stats() {
        return stats;
    }

    public WorkerGroup workers() {
        return workers;
    }

    /** The clusters of the current config. */
    public Map<String, ClusterRuntime> clusters() {
        return proxy.clusters();
    }

    @Override
    public void close() {
        proxy.close();
        if (dataplane != null) dataplane.close();
        workers.close();
        scripts.close();
    }
}
