package yastack.proxy;

import com.google.protobuf.Struct;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import yastack.api.HashKey;
import yastack.api.LoadBalancer;
import yastack.api.PluginConfigException;
import yastack.proxy.cluster.Balanced;
import yastack.proxy.cluster.ClusterRuntime;
import yastack.proxy.cluster.Endpoint;
import yastack.proxy.cluster.PickContext;
import yastack.proxy.cluster.WorkerHosts;
import yastack.proxy.tls.ClientTls;

/** One worker's view of a cluster: its balancer state, connection pools and stats cells. */
final class UpstreamCluster {
    private static final System.Logger LOG = System.getLogger("yastack");

    final ClusterRuntime runtime;
    final ClusterStats stats;
    final UpstreamConnector connector;
    private final LoadBalancer balancer;
    private final WorkerHosts hosts;
    private final PickContext pickContext;
    /** The HTTP/2 connections of an HTTP/2 cluster; null for HTTP/1.1 (pooled connections). */
    private final Http2Connections http2;
    private final List<Endpoint> endpoints;
    private final ArrayDeque<Channel>[] idle;
    private boolean retired;
    /** The cluster's next version on this worker, which takes over pooled connections to endpoints it kept; or null. */
    private UpstreamCluster successor;

    @SuppressWarnings("unchecked")
    UpstreamCluster(ClusterRuntime runtime, ProxyWorker worker, ClientTls tls) {
        this.runtime = runtime;
        this.endpoints = runtime.endpoints();
        this.stats = new ClusterStats(worker.stats, runtime.name());
        this.connector = new UpstreamConnector(runtime, worker, tls, stats);
        this.hosts = new WorkerHosts(runtime);
        this.pickContext = new PickContext(runtime);
        this.balancer = balancer(runtime, worker);
        this.http2 = runtime.http2() ? new Http2Connections(this, endpoints.size(), runtime.http2MaxStreams()) : null;
        this.idle = new ArrayDeque[endpoints.size()];
        for (int i = 0; i < idle.length; i++) idle[i] = new ArrayDeque<>();
    }

    Endpoint endpoint(int index) {
        return endpoints.get(index);
    }

    /**
     * This worker's balancer for the cluster: the plugin its {@code lb_policy} names (checked
     * when the config was compiled). Should creating it fail here anyway, the cluster is
     * balanced round robin rather than not at all.
     */
    private static LoadBalancer balancer(ClusterRuntime runtime, ProxyWorker worker) {
        String path = "clusters[" + runtime.name() + "].lb_policy";
        try {
            return worker.plugins.createLoadBalancer(runtime.lbPolicy(), runtime.lbConfig(), path);
        } catch (PluginConfigException e) {
            LOG.log(System.Logger.Level.WARNING, "cluster " + runtime.name() + ": load balancer " + runtime.lbPolicy()
                    + " unavailable on worker " + worker.index + ", using round_robin: " + e.getMessage());
            try {
                return worker.plugins.createLoadBalancer("round_robin", Struct.getDefaultInstance(), path);
            } catch (PluginConfigException none) {
                throw new IllegalStateException(e.getMessage(), e);
            }
        }
    }

    /**
     * Picks an endpoint for {@code target} (hashed by {@code routeKey}, null for the cluster's
     * key), passing over {@code avoid} (a retry's last endpoint, or -1) while another is
     * usable; -1 when the balancer finds none.
     */
    int pick(Balanced target, HashKey routeKey, int avoid) {
        hosts.refresh(System.nanoTime(), avoid);
        return balancer.choose(hosts, pickContext.reset(target, routeKey));
    }

    interface Acquired {
        void ready(Channel channel, boolean reused);

        void failed(Throwable cause, boolean overflow);
    }

    /**
     * Hands out an idle pooled connection or opens a new one on this worker's loop;
     * {@code fresh} skips the pool (a retry after a pooled connection turned out closed).
     */
    void acquire(int endpointIndex, Acquired callback, boolean fresh) {
        if (http2 != null) {
            http2.acquire(endpointIndex, callback, fresh);
            return;
        }
        ArrayDeque<Channel> pool = idle[endpointIndex];
        Channel ch;
        while (!fresh && (ch = pool.pollLast()) != null) {
            if (ch.isActive()) {
                callback.ready(ch, true);
                return;
            }
        }
        if (connector.atConnectionLimit()) {
            stats.rqOverflow.inc();
            callback.failed(new IllegalStateException("connection limit reached"), true);
            return;
        }
        connector.connectPooled(endpoints.get(endpointIndex), p -> {
            p.addLast("idle", new IdleStateHandler(runtime.idleTimeoutMillis(), 0, 0, TimeUnit.MILLISECONDS));
            p.addLast("codec", new HttpClientCodec(16 * 1024, 64 * 1024, 64 * 1024, true));
            p.addLast("upstream", new UpstreamHandler(this, endpointIndex, true));
        }, (opened, cause) -> {
            if (opened != null) callback.ready(opened, false);
            else callback.failed(cause, false);
        });
    }

    /** A health-check connection to endpoint {@code index} ({@link UpstreamConnector#probe}). */
    ChannelFuture probeEndpoint(int index, Consumer<ChannelPipeline> handlers) {
        return connector.probe(endpoints.get(index), handlers);
    }

    /** Returns a connection whose exchange finished cleanly. */
    void release(Channel ch, int endpointIndex) {
        if (retired || !ch.isActive() || ch instanceof Http2StreamChannel) {
            if (!handOver(ch, endpointIndex)) ch.close();
            return;
        }
        idle[endpointIndex].addLast(ch);
    }

    /** Moves an idle HTTP/1.1 connection to the successor when it still has the endpoint; false if it cannot. */
    private boolean handOver(Channel ch, int endpointIndex) {
        if (successor == null || !retired || !ch.isActive() || ch instanceof Http2StreamChannel) return false;
        int to = successor.indexOf(endpoints.get(endpointIndex));
        if (to < 0) return false;
        idle[endpointIndex].remove(ch);
        connector.handedOver();
        successor.adopt(ch, to);
        return true;
    }

    private int indexOf(Endpoint e) {
        for (int i = 0; i < endpoints.size(); i++) if (endpoints.get(i).sameAddress(e)) return i;
        return -1;
    }

    /** Takes a pooled connection from this cluster's previous version. */
    private void adopt(Channel ch, int endpointIndex) {
        connector.adopted();
        ch.pipeline().replace(UpstreamHandler.class, "upstream", new UpstreamHandler(this, endpointIndex, true));
        idle[endpointIndex].addLast(ch);
    }

    /** Called by the upstream handler when a connection closes, pooled or not. */
    void closed(Channel ch, int endpointIndex) {
        idle[endpointIndex].remove(ch);
        connector.uncount();
    }

    /** A view for one request of an older snapshot: its connections close after use. */
    void poolNothing() {
        retired = true;
    }

    /**
     * A reload replaced this cluster: idle connections go to {@code successor} (may be null)
     * when it has their endpoint, the others close; busy ones do the same when done.
     */
    void retire(UpstreamCluster successor) {
        retired = true;
        this.successor = successor;
        balancer.close();
        if (http2 != null) http2.closeIdle();
        for (int i = 0; i < idle.length; i++) {
            for (Channel ch : idle[i].toArray(new Channel[0])) {
                if (!handOver(ch, i)) ch.close();
            }
        }
    }

    void requestStarted(int index) {
        hosts.requestStarted(index);
    }

    void requestEnded(int index) {
        hosts.requestEnded(index);
    }

    /** An endpoint's answer: counted, and seen by outlier detection. */
    void answered(int endpointIndex, int status) {
        stats.countStatus(status);
        if (runtime.recordAnswer(endpointIndex, status)) {
            stats.ejections5xx.inc();
            LOG.log(System.Logger.Level.WARNING, "cluster " + runtime.name() + ": " + endpoints.get(endpointIndex)
                    + " ejected after consecutive 5xx answers");
        }
    }
}
