package yastack.kernel.proxy;

import io.netty.channel.EventLoop;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import yastack.kernel.cluster.ClusterRuntime;
import yastack.kernel.stats.WorkerStats;

/**
 * State owned by one worker event loop: its upstream pools, its load-balancer state and
 * its stats cells. Only that loop's thread touches it, so nothing here is synchronised.
 */
final class WorkerContext {
    final int index;
    final EventLoop loop;
    final WorkerStats stats;
    final SplittableRandom random;
    final Transport transport;
    private final Map<ClusterRuntime, UpstreamCluster> clusters = new IdentityHashMap<>();
    private yastack.api.WorkerContext pluginWorker;
    private long streamIds;
    final yastack.kernel.plugin.PluginRegistry plugins;
    /** The data plane's shards for userspace sockets; null without a stack: section. */
    UserspaceNetwork userspace;

    WorkerContext(int index, EventLoop loop, WorkerStats stats, Transport transport, yastack.kernel.plugin.PluginRegistry plugins) {
        this.plugins = plugins;
        this.index = index;
        this.loop = loop;
        this.stats = stats;
        this.random = new SplittableRandom(0x9E3779B97F4A7C15L * (index + 1) ^ System.nanoTime());
        this.transport = transport;
    }

    UpstreamCluster cluster(ClusterRuntime runtime, yastack.kernel.tls.ClientTls tls) {
        UpstreamCluster c = clusters.get(runtime);
        if (c == null) {
            // A reload brings new ClusterRuntime objects: drop pools of replaced clusters.
            clusters.entrySet().removeIf(e -> {
                if (e.getKey().name().equals(runtime.name())) {
                    e.getValue().retire();
                    return true;
                }
                return false;
            });
            c = new UpstreamCluster(runtime, this, tls);
            clusters.put(runtime, c);
        }
        return c;
    }

    /** This worker as plugins see it (its executor and timers). */
    yastack.api.WorkerContext pluginWorker() {
        if (pluginWorker == null) pluginWorker = new yastack.kernel.plugin.EventLoopWorkerContext(index, loop);
        return pluginWorker;
    }

    long nextStreamId() {
        return ((long) index << 48) | ++streamIds;
    }

}
