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
import yastack.proxy.cluster.EndpointStats;
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
    /** This worker's per-endpoint counters ({@code /clusters}), by endpoint index. */
    private final EndpointStats.Cells[] hostStats;
    private boolean retired;

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
        this.hostStats = new EndpointStats.Cells[endpoints.size()];
        for (int i = 0; i < hostStats.length; i++) hostStats[i] = endpoints.get(i).stats().cells(worker.index);
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
            ch.close();
            return;
        }
        idle[endpointIndex].addLast(ch);
    }

    /** Called by the upstream handler when a connection closes, pooled or not. */
    void closed(Channel ch, int endpointIndex) {
        idle[endpointIndex].remove(ch);
        connector.uncount();
    }

    /** A reload replaced this cluster: close idle connections, busy ones close when done. */
    void retire() {
        retired = true;
        balancer.close();
        if (http2 != null) http2.closeIdle();
        for (ArrayDeque<Channel> pool : idle) {
            for (Channel ch : pool.toArray(new Channel[0])) ch.close();
        }
    }

    void requestStarted(int index) {
        hosts.requestStarted(index);
        hostStats[index].rqTotal.inc();
        hostStats[index].rqActive.inc();
    }

    void requestEnded(int index) {
        hosts.requestEnded(index);
        hostStats[index].rqActive.dec();
    }

    /** A try at endpoint {@code index} got no answer (connect failure, reset, timeout). */
    void tryFailed(int index, boolean timeout) {
        hostStats[index].rqError.inc();
        if (timeout) hostStats[index].rqTimeout.inc();
    }

    /** An endpoint's answer: counted, and seen by outlier detection. */
    void answered(int endpointIndex, int status) {
        stats.countStatus(status);
        (status >= 500 ? hostStats[endpointIndex].rqError : hostStats[endpointIndex].rqSuccess).inc();
        if (runtime.recordAnswer(endpointIndex, status)) {
            stats.ejections5xx.inc();
            LOG.log(System.Logger.Level.WARNING, "cluster " + runtime.name() + ": " + endpoints.get(endpointIndex)
                    + " ejected after consecutive 5xx answers");
        }
    }
}
