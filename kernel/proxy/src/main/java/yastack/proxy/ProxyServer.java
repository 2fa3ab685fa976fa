package yastack.proxy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import yastack.api.config.Bootstrap;
import yastack.kernel.plugin.PluginRegistry;
import yastack.kernel.stats.StatsStore;
import yastack.kernel.transport.Sockets;
import yastack.proxy.cluster.ClusterRuntime;

/**
 * The proxy on the kernel's workers: every listener bound on every worker, and the current
 * config snapshot, which a reload replaces as a whole. A request uses the snapshot it
 * started on until it finishes.
 */
public final class ProxyServer implements AutoCloseable {
    private final List<ProxyWorker> workers = new ArrayList<>();
    private final AtomicReference<ProxySnapshot> snapshot = new AtomicReference<>();
    private final ListenerSockets listeners;
    private final HealthChecks healthChecks;
    private final StatsStore stats;
    private final Path baseDir;
    private final PluginRegistry plugins;
    private final Scripts scripts;
    private boolean started;

    /**
     * Compiles {@code config} (plugins created, files read); throws {@link IllegalStateException}
     * naming the field when something in it cannot be used. Binds nothing until {@link #start()}.
     */
    ProxyServer(Bootstrap config, Path baseDir, Sockets sockets, StatsStore stats, PluginRegistry plugins,
                       Scripts scripts) {
        this.stats = stats;
        this.plugins = plugins;
        this.scripts = scripts;
        this.baseDir = baseDir;
        for (int i = 0; i < sockets.workers().size(); i++) workers.add(new ProxyWorker(i, sockets, stats.worker(i), plugins));
        this.snapshot.set(ProxySnapshot.compile(config, null, baseDir, plugins, scripts));
        this.listeners = new ListenerSockets(sockets, workers, snapshot::get, baseDir);
        this.healthChecks = new HealthChecks(workers.getFirst());
    }

    /** Binds every listener; throws with a clear message (e.g. address in use) on failure. */
    public synchronized void start() {
        listeners.bindAll(snapshot.get().config());
        started = true;
        healthChecks.follow(snapshot.get());
    }

    /** Swaps in a new config; listeners bind, close or rebind as it says. A failure leaves the old config serving. */
    public synchronized void reload(Bootstrap config) {
        ProxySnapshot s = ProxySnapshot.compile(config, snapshot.get(), baseDir, plugins, scripts);
        // The snapshot first, so connections to a new listener find their config from the start.
        ProxySnapshot previous = snapshot.getAndSet(s);
        if (!started) return;
        try {
            listeners.reload(config);
        } catch (RuntimeException e) {
            snapshot.set(previous);
            throw e;
        }
        healthChecks.follow(s);
    }

    /** The clusters of the current snapshot (shared runtime objects, read-only). */
    public Map<String, ClusterRuntime> clusters() {
        return snapshot.get().clusters();
    }

    public Bootstrap config() {
        return snapshot.get().config();
    }

    public StatsStore stats() {
        return stats;
    }

    /** Stops health checks and closes every listening socket; the workers' loops are the kernel's to stop. */
    @Override
    public synchronized void close() {
        healthChecks.stop();
        listeners.close();
    }
}
