package yastack.proxy;

import com.google.protobuf.Struct;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http2.Http2StreamChannel;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import yastack.api.HashKey;
import yastack.api.LoadBalancer;
import yastack.api.PluginConfigException;
import yastack.kernel.loop.TimerWheel;
import yastack.kernel.util.Logs;
import yastack.proxy.cluster.Balanced;
import yastack.proxy.cluster.ClusterRuntime;
import yastack.proxy.cluster.Endpoint;
import yastack.proxy.cluster.EndpointStats;
import yastack.proxy.cluster.PickContext;
import yastack.proxy.cluster.WorkerHosts;
import yastack.proxy.tls.ClientTls;

/**
 * One worker's view of a cluster: its balancer state, connection pools and stats cells, and
 * the requests waiting for a connection while the cluster's connection limits are reached
 * (Envoy's pending requests): a connection released to the pool goes to one waiting for its
 * endpoint; when none does, it is closed so that a waiting request can open one to its own.
 */
final class UpstreamCluster {
    private static final System.Logger LOG = Logs.get("yastack");

    final ClusterRuntime runtime;
    final ClusterStats stats;
    final UpstreamConnector connector;
    private final LoadBalancer balancer;
    private final WorkerHosts hosts;
    private final PickContext pickContext;
    /** The HTTP/2 connections of an HTTP/2 cluster; null for HTTP/1.1 (pooled connections). */
    private final Http2Connections http2;
    /** The worker's timer wheel: a pooled connection's idle timeout ({@link UpstreamHandler}). */
    private final TimerWheel timeouts;
    private final List<Endpoint> endpoints;
    private final ArrayDeque<Channel>[] idle;
    private final ArrayDeque<Waiter> waiting = new ArrayDeque<>();
    /** Run by any thread when a request of the cluster starts waiting, or a connection closes while some wait. */
    private final Runnable capacityFreed;
    private final AtomicBoolean servePosted = new AtomicBoolean();
    /** This worker's per-endpoint counters ({@code /clusters}), by endpoint index. */
    private final EndpointStats.Cells[] hostStats;
    private boolean retired;
    /** The cluster's next version on this worker, which takes over pooled connections to endpoints it kept; or null. */
    private UpstreamCluster successor;

    /** A request waiting for a connection to its endpoint. */
    private record Waiter(int endpoint, Acquired callback) {}

    @SuppressWarnings("unchecked")
    UpstreamCluster(ClusterRuntime runtime, ProxyWorker worker, ClientTls tls) {
        this.runtime = runtime;
        this.endpoints = runtime.endpoints();
        this.stats = new ClusterStats(worker.stats, runtime.name());
        this.timeouts = worker.timeouts;
        this.connector = new UpstreamConnector(runtime, worker, tls, stats);
        this.hosts = new WorkerHosts(runtime);
        this.pickContext = new PickContext(runtime);
        this.balancer = balancer(runtime, worker);
        this.http2 = runtime.http2() ? new Http2Connections(this, endpoints.size(), runtime.http2MaxStreams()) : null;
        this.idle = new ArrayDeque[endpoints.size()];
        for (int i = 0; i < idle.length; i++) idle[i] = new ArrayDeque<>();
        this.capacityFreed = () -> {
            if (servePosted.compareAndSet(false, true)) {
                worker.loop.execute(() -> {
                    servePosted.set(false);
                    if (!waiting.isEmpty()) serveWaiting();
                    // Another worker waits while every slot is taken: an idle connection here gives its slot up.
                    else if (runtime.breakers().hasPending() && !connector.mayConnect()) closeAnIdleConnection();
                });
            }
        };
        runtime.breakers().onCapacity(capacityFreed);
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
        if (endpoints.isEmpty()) return -1; // a DNS cluster whose names resolve to nothing (yet)
        PickContext context = pickContext.reset(target, routeKey);
        if (hosts.hasLevels()) hosts.refresh(timeouts.now(), avoid, levelRoll(context));
        else hosts.refresh(timeouts.now(), avoid);
        return balancer.choose(hosts, context);
    }

    /**
     * What picks the priority level (0..99): a hashing balancer's key, as Envoy does, so a key
     * stays on its level while the levels' shares hold; a random roll otherwise.
     */
    private int levelRoll(PickContext context) {
        String lb = runtime.lbPolicy();
        if (lb.equals("ring_hash") || lb.equals("maglev")) {
            long key = context.hashKey();
            if (key != LoadBalancer.LbContext.NO_HASH_KEY) return (int) Long.remainderUnsigned(key, 100);
        }
        return ThreadLocalRandom.current().nextInt(100);
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
        Channel ch = fresh ? null : pooled(endpointIndex);
        if (ch != null) {
            callback.ready(ch, true);
            return;
        }
        if (!connector.reserve()) {
            stats.cxOverflow.inc();
            if (!runtime.breakers().tryPending()) {
                stats.rqOverflow.inc();
                callback.failed(new IllegalStateException("too many requests waiting for a connection"), true);
                return;
            }
            stats.rqPendingActive.inc();
            waiting.add(new Waiter(endpointIndex, callback));
            return;
        }
        open(endpointIndex, callback);
    }

    private Channel pooled(int endpointIndex) {
        Channel ch;
        while ((ch = idle[endpointIndex].pollLast()) != null) {
            if (ch.isActive()) return ch;
        }
        return null;
    }

    /** Opens a pooled connection in a slot {@link UpstreamConnector#reserve} took. */
    private void open(int endpointIndex, Acquired callback) {
        connector.connectPooled(endpoints.get(endpointIndex), p -> {
            p.addLast("codec", new UpstreamCodec());
            p.addLast("upstream", new UpstreamHandler(this, endpointIndex, true, timeouts, runtime.idleTimeoutMillis()));
        }, (opened, cause) -> {
            if (opened != null) callback.ready(opened, false);
            else callback.failed(cause, false);
        });
    }

    /** A health-check connection to endpoint {@code index} ({@link UpstreamConnector#probe}). */
    ChannelFuture probeEndpoint(int index, Consumer<ChannelPipeline> handlers) {
        return connector.probe(endpoints.get(index), handlers);
    }

    /** Returns a connection whose exchange finished cleanly: to a request waiting for its endpoint, else to the pool. */
    void release(Channel ch, int endpointIndex) {
        if (retired || !ch.isActive() || ch instanceof Http2StreamChannel) {
            if (!handOver(ch, endpointIndex)) ch.close();
            return;
        }
        if (!waiting.isEmpty()) {
            Waiter w = takeWaiter(endpointIndex);
            if (w != null) w.callback().ready(ch, true);
            else ch.close(); // its slot lets a waiting request connect to its own endpoint
            return;
        }
        if (runtime.breakers().hasPending() && !connector.mayConnect()) {
            ch.close(); // requests wait on another worker, and this is the slot they need
            return;
        }
        idle[endpointIndex].addLast(ch);
    }

    private Waiter takeWaiter(int endpointIndex) {
        for (var it = waiting.iterator(); it.hasNext(); ) {
            Waiter w = it.next();
            if (w.endpoint() == endpointIndex) {
                it.remove();
                stopWaiting();
                return w;
            }
        }
        return null;
    }

    private void stopWaiting() {
        stats.rqPendingActive.dec();
        runtime.breakers().pendingEnded();
    }

    /** Connection slots may have freed up: waiting requests get a pooled connection or open one, in order. */
    private void serveWaiting() {
        while (!waiting.isEmpty()) {
            Waiter w = waiting.peek();
            Channel ch = pooled(w.endpoint());
            if (ch == null && !connector.reserve()) {
                // Its close comes back here through the breakers; until then the slot is not free.
                closeAnIdleConnection();
                return;
            }
            waiting.poll();
            stopWaiting();
            if (ch != null) w.callback().ready(ch, true);
            else open(w.endpoint(), w.callback());
        }
    }

    /** Frees a slot held by an idle connection (to another endpoint than the one waited for); false when there is none. */
    private boolean closeAnIdleConnection() {
        for (ArrayDeque<Channel> pool : idle) {
            Channel ch = pool.pollFirst();
            if (ch != null) {
                ch.close();
                return true;
            }
        }
        return false;
    }

    /** The request stopped waiting (its exchange ended first). */
    void cancelWaiting(Acquired callback) {
        if (waiting.isEmpty()) return;
        for (var it = waiting.iterator(); it.hasNext(); ) {
            if (it.next().callback() == callback) {
                it.remove();
                stopWaiting();
                return;
            }
        }
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
        UpstreamHandler handler = new UpstreamHandler(this, endpointIndex, true, timeouts, runtime.idleTimeoutMillis());
        ch.pipeline().replace(UpstreamHandler.class, "upstream", handler);
        handler.detach(); // idle in this pool from now on
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
        runtime.breakers().removeCapacityListener(capacityFreed);
        Waiter w;
        while ((w = waiting.poll()) != null) {
            stopWaiting();
            w.callback().failed(new IllegalStateException("the cluster was replaced by a reload"), false);
        }
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
