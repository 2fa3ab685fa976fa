package yastack.proxy;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.ssl.SslHandler;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import yastack.proxy.cluster.ClusterRuntime;
import yastack.proxy.cluster.Endpoint;
import yastack.proxy.cluster.EndpointStats;
import yastack.proxy.tls.ClientTls;
import yastack.proxy.tls.TlsStatsHandler;

/**
 * How one worker opens connections to a cluster's endpoints: through the kernel's socket
 * facade (the cluster's flavor), with the cluster's TLS, counted against the cluster's
 * connection limit and stats, and with connect failures held against the endpoint's health.
 * Three kinds: pooled HTTP/1.1, HTTP/2 and raw (L4); plus uncounted health-check probes.
 */
final class UpstreamConnector {
    private final ClusterRuntime runtime;
    private final ProxyWorker worker;
    private final ClientTls tls;
    private final ClusterStats stats;
    private int connections;

    UpstreamConnector(ClusterRuntime runtime, ProxyWorker worker, ClientTls tls, ClusterStats stats) {
        this.runtime = runtime;
        this.worker = worker;
        this.tls = tls;
        this.stats = stats;
    }

    /**
     * Whether another pooled or HTTP/2 connection may open: this worker's
     * max_connections_per_worker and the cluster's max_connections circuit breaker.
     */
    boolean mayConnect() {
        return connections < runtime.maxConnectionsPerWorker() && runtime.breakers().roomForConnection();
    }

    /**
     * Takes the slot a pooled or HTTP/2 connection needs (as {@link #mayConnect}); false, with
     * nothing taken, when there is none. The next {@link #connectPooled} or {@link #connectHttp2}
     * uses it.
     */
    boolean reserve() {
        return connections < runtime.maxConnectionsPerWorker() && reserveRaw();
    }

    /**
     * Takes the cluster's max_connections slot an L4 connection needs (the per-worker pool
     * limit is HTTP's); false when there is none, as Envoy's TCP proxy refuses then.
     */
    boolean reserveRaw() {
        if (!runtime.breakers().tryConnection()) return false;
        connections++;
        return true;
    }

    /** A pooled connection moved to the cluster's next version, which counts it from now on. */
    void handedOver() {
        connections--;
        runtime.breakers().connectionClosed();
    }

    /** A pooled connection came from the cluster's previous version (its active gauge cell moves with it). */
    void adopted() {
        connections++;
        runtime.breakers().connectionOpened();
    }

    /** A pooled connection closed (its handler tells): it no longer counts. */
    void uncount() {
        connections--;
        stats.cxActive.dec();
        runtime.breakers().connectionClosed();
    }

    /** Opens a connection ({@link #reserve} first) whose pipeline {@code pipeline} sets up after TLS; the caller uncounts it when it closes. */
    void connectPooled(Endpoint ep, Consumer<ChannelPipeline> pipeline, BiConsumer<Channel, Throwable> done) {
        connect(ep, b -> b.option(ChannelOption.SO_KEEPALIVE, true).handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel c) {
                addTls(c, ep);
                pipeline.accept(c.pipeline());
            }
        }), done);
    }

    /** Opens an HTTP/2 connection ({@link #reserve} first; {@code init} sets up its pipeline after TLS, if any); it counts until it closes. */
    void connectHttp2(Endpoint ep, ChannelInitializer<Channel> init, BiConsumer<Channel, Throwable> done) {
        connectUncountedOnClose(ep, b -> b.option(ChannelOption.SO_KEEPALIVE, true).handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel c) {
                addTls(c, ep);
                c.pipeline().addLast(init);
            }
        }), done);
    }

    /** Opens a plain (L4) connection ({@link #reserveRaw} first) to an endpoint on this worker's loop; not pooled. */
    void connectRaw(Endpoint ep, ChannelHandler handler, BiConsumer<Channel, Throwable> done) {
        connectUncountedOnClose(ep, b -> b.option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(64 * 1024, 256 * 1024))
                .handler(handler), done);
    }

    /**
     * A health-check connection to an endpoint: the cluster's flavor (host or userspace with
     * an RSS-local port) and TLS, but not pooled, not counted in the cluster's connection
     * stats and not held against the endpoint's passive health.
     */
    ChannelFuture probe(Endpoint ep, Consumer<ChannelPipeline> handlers) {
        return bootstrap(ep).handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel c) {
                if (tls != null) c.pipeline().addLast("tls", tls.newHandler(c.alloc(), ep.hostname(), ep.port()));
                handlers.accept(c.pipeline());
            }
        }).connect(ep.resolve());
    }

    /**
     * Runs {@code task} once {@code ch} has fired channel-active. Connect listeners run before
     * that event, and handlers that write first on it (an HTTP/2 client preface, a PROXY
     * header) must have done so before anything else is written.
     */
    static void afterActive(Channel ch, Runnable task) {
        ch.eventLoop().execute(task);
    }

    /** The cluster's TLS (and its handshake stats) at the front of an upstream connection's pipeline. */
    private void addTls(Channel c, Endpoint ep) {
        if (tls == null) return;
        c.pipeline().addLast("tls", tls.newHandler(c.alloc(), ep.hostname(), ep.port()));
        c.pipeline().addLast("tls-stats", new TlsStatsHandler(worker.stats, "cluster." + runtime.name()));
    }

    /** As {@link #connect}, for connections without an UpstreamHandler (which uncounts pooled ones): uncounted when they close. */
    private void connectUncountedOnClose(Endpoint ep, UnaryOperator<Bootstrap> configure, BiConsumer<Channel, Throwable> done) {
        connect(ep, configure, (ch, cause) -> {
            if (ch != null) ch.closeFuture().addListener(x -> uncount());
            done.accept(ch, cause);
        });
    }

    /**
     * Opens one connection, its slot already reserved; {@code done} gets the channel once it is usable (after
     * channel-active; TLS: after the handshake and name check, so a failed handshake is a
     * connect failure, 503, as in Envoy) or the failure, which is counted against the
     * endpoint's health.
     */
    private void connect(Endpoint ep, UnaryOperator<Bootstrap> configure, BiConsumer<Channel, Throwable> done) {
        stats.cxTotal.inc();
        stats.cxActive.inc();
        EndpointStats.Cells host = ep.stats().cells(worker.index);
        host.cxTotal.inc();
        host.cxActive.inc();
        ChannelFuture f;
        try {
            // Nagle is off without an option: the channels turn it off themselves (AcceptedNoDelayTest).
            f = configure.apply(bootstrap(ep)).connect(ep.resolve());
        } catch (RuntimeException e) {
            uncount();
            host.cxActive.dec();
            connectFailed(ep, e);
            done.accept(null, e);
            return;
        }
        f.addListener((ChannelFuture c) -> {
            if (!c.isSuccess()) {
                uncount(); // a connect that failed never becomes active, so nothing else uncounts it
                host.cxActive.dec();
                connectFailed(ep, c.cause());
                done.accept(null, c.cause());
                return;
            }
            c.channel().closeFuture().addListener(x -> host.cxActive.dec());
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
     * A client bootstrap on this worker's loop for the cluster's flavor: a host socket, or a
     * userspace socket on the shard that routes to the endpoint with an RSS-local source port.
     */
    private Bootstrap bootstrap(Endpoint ep) {
        Bootstrap b;
        try {
            b = worker.sockets.client(runtime.flavor(), worker.index, ep.connectHost());
        } catch (IllegalStateException e) {
            throw new IllegalStateException("cluster " + runtime.name() + ": " + e.getMessage(), e);
        }
        return b.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, runtime.connectTimeoutMillis()));
    }

    private void connectFailed(Endpoint ep, Throwable cause) {
        stats.cxConnectFail.inc();
        ep.stats().cells(worker.index).cxConnectFail.inc();
        if (cause instanceof ConnectTimeoutException) stats.cxConnectTimeout.inc();
        ep.health().onConnectFailure(System.nanoTime());
    }
}
