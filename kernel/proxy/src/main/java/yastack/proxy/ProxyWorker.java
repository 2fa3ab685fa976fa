package yastack.proxy;

import io.netty.channel.EventLoop;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import yastack.api.WorkerContext;
import yastack.kernel.loop.EventLoopWorkerContext;
import yastack.kernel.loop.TimerWheel;
import yastack.kernel.plugin.PluginRegistry;
import yastack.kernel.stats.WorkerStats;
import yastack.kernel.transport.Sockets;
import yastack.proxy.cluster.ClusterRuntime;
import yastack.proxy.overload.OverloadMonitor;
import yastack.proxy.tls.ClientTls;

/**
 * What the proxy engine keeps per worker: its upstream pools and balancer state, its stats
 * cells, its random source. Only that worker's loop thread touches it, so nothing here is
 * synchronised.
 */
final class ProxyWorker {
    final int index;
    final EventLoop loop;
    final WorkerStats stats;
    final SplittableRandom random;
    final Sockets sockets;
    final PluginRegistry plugins;
    /** The process's memory watch (shared by every worker; read-only here). */
    final OverloadMonitor overload;
    /** Request timeouts: armed and cancelled once per request, so they skip the loop's scheduler. */
    final TimerWheel timeouts;
    final AuthorityMemo authorities = new AuthorityMemo();
    final AddressMemo clientAddresses = new AddressMemo();
    /** Shared by every worker: whether connections should close as they finish (a drain). */
    final ConnectionDrain drain;
    private final Map<ClusterRuntime, UpstreamCluster> clusters = new IdentityHashMap<>();
    private final WorkerContext pluginView;
    /** What filter plugins' {@code callCluster} goes through (shared by the workers). */
    final HttpClusterCalls calls;
    private long streamIds;

    ProxyWorker(int index, Sockets sockets, WorkerStats stats, PluginRegistry plugins, OverloadMonitor overload,
                ConnectionDrain drain, HttpClusterCalls calls) {
        this.calls = calls;
        this.drain = drain;
        this.index = index;
        this.overload = overload;
        this.loop = sockets.workers().loop(index);
        this.stats = stats;
        this.sockets = sockets;
        this.plugins = plugins;
        this.random = new SplittableRandom(0x9E3779B97F4A7C15L * (index + 1) ^ System.nanoTime());
        this.pluginView = new EventLoopWorkerContext(index, loop);
        this.timeouts = new TimerWheel(loop, sockets.workers().clock(index));
    }

    /**
     * This worker's view of {@code runtime}: made on first use. A reload's newer runtime retires
     * the older one's pools, handing its idle connections over when only endpoints changed;
     * a request still on an older snapshot gets a view that pools nothing.
     */
    UpstreamCluster cluster(ClusterRuntime runtime, ClientTls tls) {
        UpstreamCluster c = clusters.get(runtime);
        if (c != null) return c;
        c = new UpstreamCluster(runtime, this, tls);
        UpstreamCluster current = null;
        for (UpstreamCluster u : clusters.values()) if (u.runtime.name().equals(runtime.name())) current = u;
        if (current != null && current.runtime.generation() > runtime.generation()) {
            c.poolNothing();
            return c;
        }
        if (current != null) {
            clusters.remove(current.runtime);
            current.retire(runtime.sameConnectionSettings(current.runtime) ? c : null);
        }
        clusters.put(runtime, c);
        return c;
    }

    /** This worker as plugins see it (its executor and timers). */
    WorkerContext pluginWorker() {
        return pluginView;
    }

    long nextStreamId() {
        return ((long) index << 48) | ++streamIds;
    }
}
