package yastack.proxy;

import com.google.protobuf.Struct;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import yastack.api.HashKey;
import yastack.api.LoadBalancer;
import yastack.api.PluginConfigException;
import yastack.kernel.stats.Counter;
import yastack.proxy.cluster.Balanced;
import yastack.proxy.cluster.ClusterRuntime;
import yastack.proxy.cluster.Endpoint;
import yastack.proxy.cluster.PickContext;
import yastack.proxy.cluster.WorkerHosts;
import yastack.proxy.tls.ClientTls;
import yastack.proxy.tls.TlsStatsHandler;

/** One worker's view of a cluster: its balancer state, connection pools and stats cells. */
final class UpstreamCluster {
    private static final System.Logger LOG = System.getLogger("yastack");

    final ClusterRuntime runtime;
    private final LoadBalancer balancer;
    private final WorkerHosts hosts;
    private final PickContext pickContext;
    final Counter rqTotal, rq1xx, rq2xx, rq3xx, rq4xx, rq5xx, rqTimeout, rqReset, rqOverflow, rqRetry;
    final Counter rqRetrySuccess, rqRetryLimitExceeded, rqPerTryTimeout, rqRetryOverflow, ejections5xx;
    final Counter cxTotal, cxActive, cxConnectFail, cxConnectTimeout, cxNone;
    private final ProxyWorker worker;
    private final ClientTls tls;
    /** The HTTP/2 connections of an HTTP/2 cluster; null for HTTP/1.1 (pooled connections). */
    private final Http2Connections http2;
    private final List<Endpoint> endpoints;
    private final ArrayDeque<Channel>[] idle;
    private int connections;
    private boolean retired;

    @SuppressWarnings("unchecked")
    UpstreamCluster(ClusterRuntime runtime, ProxyWorker worker, ClientTls tls) {
        this.runtime = runtime;
        this.tls = tls;
        this.worker = worker;
        this.endpoints = runtime.endpoints();
        this.hosts = new WorkerHosts(runtime);
        this.pickContext = new PickContext(runtime);
        this.balancer = balancer(runtime, worker);
        this.http2 = runtime.http2() ? new Http2Connections(this, endpoints.size(), runtime.http2MaxStreams()) : null;
        this.idle = new ArrayDeque[endpoints.size()];
        for (int i = 0; i < idle.length; i++) idle[i] = new ArrayDeque<>();
        String p = "cluster." + runtime.name() + ".";
        var s = worker.stats;
        rqTotal = s.counter(p + "upstream_rq_total");
        rq1xx = s.counter(p + "upstream_rq_1xx");
        rq2xx = s.counter(p + "upstream_rq_2xx");
        rq3xx = s.counter(p + "upstream_rq_3xx");
        rq4xx = s.counter(p + "upstream_rq_4xx");
        rq5xx = s.counter(p + "upstream_rq_5xx");
        rqTimeout = s.counter(p + "upstream_rq_timeout");
        rqReset = s.counter(p + "upstream_rq_rx_reset");
        rqOverflow = s.counter(p + "upstream_rq_pending_overflow");
        rqRetry = s.counter(p + "upstream_rq_retry");
        rqRetrySuccess = s.counter(p + "upstream_rq_retry_success");
        rqRetryLimitExceeded = s.counter(p + "upstream_rq_retry_limit_exceeded");
        rqPerTryTimeout = s.counter(p + "upstream_rq_per_try_timeout");
        rqRetryOverflow = s.counter(p + "upstream_rq_retry_overflow");
        ejections5xx = s.counter(p + "outlier_detection.ejections_enforced_consecutive_5xx");
        cxTotal = s.counter(p + "upstream_cx_total");
        cxActive = s.gauge(p + "upstream_cx_active");
        cxConnectFail = s.counter(p + "upstream_cx_connect_fail");
        cxConnectTimeout = s.counter(p + "upstream_cx_connect_timeout");
        cxNone = s.counter(p + "upstream_cx_none_healthy");
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
        if (atConnectionLimit()) {
            rqOverflow.inc();
            callback.failed(new IllegalStateException("connection limit reached"), true);
            return;
        }
        Endpoint ep = endpoints.get(endpointIndex);
        connect(ep, b -> b.option(ChannelOption.SO_KEEPALIVE, true)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel c) {
                        addTls(c, ep);
                        c.pipeline().addLast("idle", new IdleStateHandler(runtime.idleTimeoutMillis(), 0, 0, TimeUnit.MILLISECONDS));
                        c.pipeline().addLast("codec", new HttpClientCodec(16 * 1024, 64 * 1024, 64 * 1024, true));
                        c.pipeline().addLast("upstream", new UpstreamHandler(UpstreamCluster.this, endpointIndex, true));
                    }
                }), (opened, cause) -> {
                    if (opened != null) callback.ready(opened, false);
                    else callback.failed(cause, false);
                });
    }

    boolean atConnectionLimit() {
        return connections >= runtime.maxConnectionsPerWorker();
    }

    /** The cluster's TLS (and its handshake stats) at the front of an upstream connection's pipeline. */
    private void addTls(Channel c, Endpoint ep) {
        if (tls == null) return;
        c.pipeline().addLast("tls", tls.newHandler(c.alloc(), ep.host(), ep.port()));
        c.pipeline().addLast("tls-stats", new TlsStatsHandler(worker.stats, "cluster." + runtime.name()));
    }

    /** Opens an HTTP/2 connection ({@code init} sets up its pipeline after TLS, if any); it counts until it closes. */
    void connectHttp2(int endpointIndex, ChannelInitializer<Channel> init, BiConsumer<Channel, Throwable> done) {
        Endpoint ep = endpoints.get(endpointIndex);
        connectUncountedOnClose(ep, b -> b.option(ChannelOption.SO_KEEPALIVE, true).handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel c) {
                addTls(c, ep);
                c.pipeline().addLast(init);
            }
        }), done);
    }

    /** Opens a plain (L4) connection to an endpoint on this worker's loop; not pooled. */
    void connectRaw(int endpointIndex, ChannelHandler handler,
                    BiConsumer<Channel, Throwable> done) {
        connectUncountedOnClose(endpoints.get(endpointIndex), b -> b.option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(64 * 1024, 256 * 1024))
                .handler(handler), done);
    }

    /** As {@link #connect}, for connections without an UpstreamHandler (which uncounts pooled ones): uncounted when they close. */
    private void connectUncountedOnClose(Endpoint ep, UnaryOperator<Bootstrap> configure,
                                         BiConsumer<Channel, Throwable> done) {
        connect(ep, configure, (ch, cause) -> {
            if (ch != null) ch.closeFuture().addListener(x -> uncount());
            done.accept(ch, cause);
        });
    }

    /**
     * Runs {@code task} once {@code ch} has fired channel-active. Connect listeners run before
     * that event, and handlers that write first on it (an HTTP/2 client preface, a PROXY
     * header) must have done so before anything else is written.
     */
    static void afterActive(Channel ch, Runnable task) {
        ch.eventLoop().execute(task);
    }

    /**
     * Counts and opens one connection; {@code done} gets the channel once it is usable (after
     * channel-active; TLS: after the handshake and name check, so a failed handshake is a
     * connect failure, 503, as in Envoy) or the failure, which is counted against the
     * endpoint's health.
     */
    private void connect(Endpoint ep, UnaryOperator<Bootstrap> configure,
                         BiConsumer<Channel, Throwable> done) {
        connections++;
        cxTotal.inc();
        cxActive.inc();
        ChannelFuture f;
        try {
            f = configure.apply(bootstrap(ep).option(ChannelOption.TCP_NODELAY, true)).connect(ep.resolve());
        } catch (RuntimeException e) {
            uncount();
            connectFailed(ep, e);
            done.accept(null, e);
            return;
        }
        f.addListener((ChannelFuture c) -> {
            if (!c.isSuccess()) {
                uncount(); // a connect that failed never becomes active, so nothing else uncounts it
                connectFailed(ep, c.cause());
                done.accept(null, c.cause());
                return;
            }
            SslHandler ssl = c.channel().pipeline().get(SslHandler.class);
            if (ssl == null) {
                ep.health().onSuccess();
                afterActive(c.channel(), () -> done.accept(c.channel(), null));
                return;
            }
            ssl.handshakeFuture().addListener(hs -> {
                if (hs.isSuccess()) {
                    ep.health().onSuccess();
                    done.accept(c.channel(), null);
                } else {
                    c.channel().close(); // active, so its handler uncounts it
                    connectFailed(ep, hs.cause());
                    done.accept(null, hs.cause());
                }
            });
        });
    }

    /**
     * A health-check connection to an endpoint: the cluster's flavor (host or userspace with
     * an RSS-local port) and TLS, but not pooled, not counted in the cluster's connection
     * stats and not held against the endpoint's passive health.
     */
    ChannelFuture probe(int endpointIndex, Consumer<ChannelPipeline> handlers) {
        Endpoint ep = endpoints.get(endpointIndex);
        return bootstrap(ep).handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel c) {
                if (tls != null) c.pipeline().addLast("tls", tls.newHandler(c.alloc(), ep.host(), ep.port()));
                handlers.accept(c.pipeline());
            }
        }).connect(ep.resolve());
    }

    private void uncount() {
        connections--;
        cxActive.dec();
    }

    /**
     * A client bootstrap on this worker's loop for the cluster's flavor: a host socket, or a
     * userspace socket on the shard that routes to the endpoint with an RSS-local source port.
     */
    private Bootstrap bootstrap(Endpoint ep) {
        Bootstrap b;
        try {
            b = worker.sockets.client(runtime.flavor(), worker.index, ep.host());
        } catch (IllegalStateException e) {
            throw new IllegalStateException("cluster " + runtime.name() + ": " + e.getMessage(), e);
        }
        return b.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, runtime.connectTimeoutMillis()));
    }

    private void connectFailed(Endpoint ep, Throwable cause) {
        cxConnectFail.inc();
        if (cause instanceof ConnectTimeoutException) cxConnectTimeout.inc();
        ep.health().onConnectFailure(System.nanoTime());
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
        uncount();
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
    }

    void requestEnded(int index) {
        hosts.requestEnded(index);
    }

    /** An endpoint's answer: counted, and seen by outlier detection. */
    void answered(int endpointIndex, int status) {
        countStatus(status);
        if (runtime.recordAnswer(endpointIndex, status)) {
            ejections5xx.inc();
            System.getLogger("yastack").log(System.Logger.Level.WARNING, "cluster " + runtime.name() + ": " + endpoints.get(endpointIndex)
                    + " ejected after consecutive 5xx answers");
        }
    }

    void countStatus(int status) {
        rqTotal.inc();
        switch (status / 100) {
            case 1 -> rq1xx.inc();
            case 2 -> rq2xx.inc();
            case 3 -> rq3xx.inc();
            case 4 -> rq4xx.inc();
            default -> rq5xx.inc();
        }
    }
}
