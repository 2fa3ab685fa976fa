package yastack.proxy;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import yastack.api.AccessLogger;
import yastack.api.config.Bootstrap;
import yastack.kernel.plugin.PluginRegistry;
import yastack.kernel.stats.StatsStore;
import yastack.kernel.transport.Sockets;
import yastack.proxy.cluster.ClusterRuntime;
import yastack.proxy.overload.OverloadMonitor;
import yastack.proxy.tls.ClientTls;
import yastack.proxy.tls.LoadedCertificate;
import yastack.proxy.trace.Tracers;

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
    private final DnsDiscovery dns;
    /** Guards snapshot swaps; DNS updates take it on a worker's loop, so it is never held while waiting for one. */
    private final Object swap = new Object();
    private final StatsStore stats;
    private final Path baseDir;
    private final PluginRegistry plugins;
    private final Scripts scripts;
    private final OverloadMonitor overload;
    private final ConnectionDrain drain;
    /** Every snapshot published, for their access logs' last flush at close. */
    private final List<ProxySnapshot> published = new ArrayList<>();
    private final Tracers tracers;
    private boolean started;
    private boolean listenersClosed;

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
        this.tracers = new Tracers(plugins.stats());
        ProxySnapshot first;
        try {
            first = ProxySnapshot.compile(config, null, baseDir, plugins, scripts, tracers);
        } catch (RuntimeException e) {
            tracers.close();
            throw e;
        }
        this.overload = new OverloadMonitor(config.getOverloadManager(), stats);
        ConnectionAdmission admission = new ConnectionAdmission(overload, stats);
        this.drain = new ConnectionDrain(admission);
        HttpClusterCalls calls = new HttpClusterCalls(() -> snapshot.get().clusters());
        for (int i = 0; i < sockets.workers().size(); i++) {
            workers.add(new ProxyWorker(i, sockets, stats.worker(i), plugins, overload, drain, calls));
        }
        publish(first);
        this.listeners = new ListenerSockets(sockets, workers, snapshot::get, baseDir, admission);
        this.healthChecks = new HealthChecks(workers.getFirst());
        this.dns = new DnsDiscovery(workers.getFirst(), sockets.workers().hostTransport().datagramChannel(), this::replaceCluster);
        // Envoy's gauge, there only while some certificate is loaded.
        stats.registerSource(() -> {
            Instant now = Instant.now();
            OptionalLong days = certificates().stream().filter(c -> c.role().equals("cert_chain"))
                    .mapToLong(c -> c.daysUntilExpiration(now)).min();
            return days.isPresent() ? Map.of("server.days_until_first_cert_expiring", days.getAsLong()) : Map.of();
        });
    }

    /** Every certificate loaded: listeners' chains and client CAs, clusters' client chains and CAs. */
    public List<LoadedCertificate> certificates() {
        List<LoadedCertificate> out = listeners.certificates();
        for (ClientTls t : snapshot.get().clusterTls().values()) out.addAll(t.certificates());
        return out;
    }

    /** Binds every listener; throws with a clear message (e.g. address in use) on failure. */
    public synchronized void start() {
        ProxySnapshot s = dns.prepare(snapshot.get());
        publish(s);
        try {
            listeners.bindAll(s.config());
        } catch (RuntimeException e) {
            dns.abandonPrepared();
            throw e;
        }
        started = true;
        healthChecks.follow(s);
        dns.follow(s);
    }

    /** Swaps in a new config; listeners bind, close or rebind as it says. A failure leaves the old config serving. */
    public synchronized void reload(Bootstrap config) {
        ProxySnapshot compiled = ProxySnapshot.compile(config, snapshot.get(), baseDir, plugins, scripts, tracers);
        if (!started) {
            publish(compiled); // start() looks its DNS clusters up
            return;
        }
        ProxySnapshot s = dns.prepare(compiled);
        // The snapshot first, so connections to a new listener find their config from the start.
        ProxySnapshot previous = publish(s);
        // A drained proxy stays drained: the new config's routes apply to what is still open.
        if (!listenersClosed) {
            try {
                listeners.reload(config);
            } catch (RuntimeException e) {
                publish(previous);
                dns.abandonPrepared();
                throw e;
            }
        }
        healthChecks.follow(s);
        overload.configure(config.getOverloadManager());
        dns.follow(s);
        tracers.retain(s.tracings());
    }

    /** Makes {@code s} current; returns the one it replaced. */
    private ProxySnapshot publish(ProxySnapshot s) {
        synchronized (swap) {
            published.add(s);
            return snapshot.getAndSet(s);
        }
    }

    /** A DNS answer changed a cluster: false when a reload already replaced {@code old}. */
    private boolean replaceCluster(ClusterRuntime old, ClusterRuntime fresh) {
        ProxySnapshot next;
        synchronized (swap) {
            ProxySnapshot s = snapshot.get();
            if (s.clusters().get(old.name()) != old) return false;
            next = s.withCluster(fresh);
            snapshot.set(next);
        }
        healthChecks.follow(next);
        return true;
    }

    /** One line for {@code yastack version}: the installed tracing providers. */
    public static String describeTracing() {
        return Tracers.describe();
    }

    /** Log rotation: every access log of the current config reopens its file by name. */
    public void reopenLogs() {
        AccessLogs.reopen(snapshot.get());
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

    /** The memory watermarks' state and the global connection count (the admin API's /overload). */
    public OverloadMonitor overload() {
        return overload;
    }

    /**
     * Starts a drain ({@code true}): HTTP/1 connections close after their current response
     * (Connection: close), HTTP/2 connections get GOAWAY; listeners keep accepting. Envoy's
     * {@code /healthcheck/fail} does this too; {@code false} ({@code /healthcheck/ok}) stops it.
     */
    public void drainConnections(boolean on) {
        drain.draining(on);
    }

    /** Whether a drain is on. */
    public boolean drainingConnections() {
        return drain.draining();
    }

    /**
     * Stops accepting: every listener closes, and HTTP/1 connections with nothing in flight
     * close too. Connections with work in flight finish; later reloads bind no listeners.
     */
    public synchronized void closeListeners() {
        listenersClosed = true;
        listeners.close();
        drain.closeIdle();
    }

    /** Downstream connections still open, on every listener. */
    public int openConnections() {
        return drain.open();
    }

    /** Closes every downstream connection still open, logging how many of which kind on which listener were cut. */
    public int cutConnections(String why) {
        return drain.cut(why);
    }

    /**
     * Stops health checks, closes every listening socket, and flushes and closes the access
     * logs of every config this proxy ran; the workers' loops are the kernel's to stop.
     */
    @Override
    public synchronized void close() {
        dns.stop();
        healthChecks.stop();
        listeners.close();
        overload.close();
        Set<AccessLogger> closed = Collections.newSetFromMap(new IdentityHashMap<>());
        List<ProxySnapshot> all;
        synchronized (swap) {
            all = List.copyOf(published);
            published.clear();
        }
        for (ProxySnapshot s : all) {
            for (ListenerRuntime l : s.listeners().values()) {
                for (AccessLogger logger : l.loggers()) {
                    if (closed.add(logger)) logger.close();
                }
            }
        }
        tracers.close();
    }
}
