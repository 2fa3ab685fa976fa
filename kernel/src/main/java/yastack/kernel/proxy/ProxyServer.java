package yastack.kernel.proxy;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.util.concurrent.EventExecutor;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Logger;
import yastack.api.SocketFlavors;
import yastack.api.config.Bootstrap;
import yastack.api.config.Listener;
import yastack.kernel.loop.DataPathPoller;
import yastack.kernel.loop.IdleStrategy;
import yastack.kernel.loop.LoopStats;
import yastack.kernel.loop.WorkerIoHandler;
import yastack.kernel.plugin.PluginRegistry;
import yastack.kernel.stats.StatsStore;
import yastack.kernel.tls.ServerTls;
import yastack.kernel.tls.TlsStatsHandler;
import io.netty.handler.ssl.SniHandler;

/**
 * The data plane: one Netty event loop per worker, every listener bound on every worker
 * (SO_REUSEPORT lets the kernel spread connections), and the current config snapshot.
 */
public final class ProxyServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger("yastack");

    private final MultiThreadIoEventLoopGroup group;
    private final List<WorkerContext> workers = new ArrayList<>();
    /** Each bound listener's server channels and the config they were bound with, by name. */
    private final java.util.Map<String, Bound> bound = new java.util.LinkedHashMap<>();

    /** A bound listener: the config it was bound with and its server channels. */
    private record Bound(Listener config, List<Channel> channels) {}
    private final List<WorkerIoHandler> ioHandlers = java.util.Collections.synchronizedList(new ArrayList<>());
    private final AtomicReference<ProxySnapshot> snapshot = new AtomicReference<>();
    /** The current snapshot's active health checkers; replaced on reload. */
    private List<HealthChecker> healthCheckers = List.of();
    private boolean started;
    private final StatsStore stats;
    private final Transport transport;
    private final java.nio.file.Path baseDir;
    private final PluginRegistry plugins;
    private final ScriptPolicies scripts;
    private UserspaceNetwork userspace;
    private final java.util.Map<String, ServerTls> listenerTls = new java.util.HashMap<>();

    /** A proxy without plugins or scripts (tests, benchmarks). */
    public ProxyServer(Bootstrap config, java.nio.file.Path baseDir, int workerCount, StatsStore stats) {
        this(config, baseDir, workerCount, stats, PluginRegistry.empty(), ScriptPolicies.NONE);
    }

    public ProxyServer(Bootstrap config, java.nio.file.Path baseDir, int workerCount, StatsStore stats,
                       PluginRegistry plugins, ScriptPolicies scripts) {
        this.stats = stats;
        this.plugins = plugins;
        this.scripts = scripts;
        this.baseDir = baseDir;
        this.transport = Transport.host();
        String idleName = config.hasStack() ? config.getStack().getIdle() : "";
        List<Integer> cores = config.hasStack() ? config.getStack().getCoresList() : List.of();
        this.group = new MultiThreadIoEventLoopGroup(workerCount, Thread.ofPlatform().name("worker-", 0).factory(),
                WorkerIoHandler.factory(transport.ioHandlerFactory(), i -> IdleStrategy.of(idleName, false),
                        i -> new LoopStats(stats.worker(i), i), i -> i < cores.size() ? cores.get(i) : -1,
                        ioHandlers::add));
        int i = 0;
        for (EventExecutor e : group) {
            workers.add(new WorkerContext(i, (EventLoop) e, stats.worker(i), transport, plugins));
            i++;
        }
        try {
            snapshot.set(ProxySnapshot.compile(config, baseDir, AccessLog.open(config.getAccessLog()), plugins, scripts));
        } catch (RuntimeException e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
    }

    /** Binds every listener; throws with a clear message (e.g. address in use) on failure. */
    public synchronized void start() {
        try {
            for (Listener l : snapshot.get().config().getListenersList()) bound.put(l.getName(), new Bound(l, bindListener(l)));
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        started = true;
        startHealthChecks(snapshot.get());
    }

    /** Binds one listener on every worker (or stack shard); on failure closes what it bound and throws. */
    private List<Channel> bindListener(Listener l) {
        String address = l.getAddress().isEmpty() ? "0.0.0.0" : l.getAddress();
        boolean userspace = l.getFlavor() == yastack.api.config.SocketFlavor.USERSPACE;
        if (userspace && this.userspace == null) {
            throw new IllegalStateException("listener " + l.getName() + ": flavor userspace needs a stack: section with an interface");
        }
        List<Channel> bound = new ArrayList<>();
        try {
            for (WorkerContext w : userspace || transport.reusePort() ? workers : List.of(workers.getFirst())) {
                if (userspace) {
                    // One server channel per stack shard: each shard owns the flows RSS steers to its worker.
                    for (yastack.stack.NetStack shard : this.userspace.listenerShards(w.index, address)) {
                        ServerBootstrap b = serverBootstrap(l, w, w.loop)
                                .channelFactory(() -> new yastack.kernel.transport.UserspaceServerChannel(shard));
                        // The shard is only touched on its worker's thread, so bind from there.
                        bound.add(bind(l, address, w.loop.submit(() -> b.bind(new InetSocketAddress(address, l.getPort())))
                                .syncUninterruptibly().getNow()));
                    }
                } else {
                    ServerBootstrap b = serverBootstrap(l, w, transport.reusePort() ? w.loop : group)
                            .channel(transport.serverChannel())
                            .option(ChannelOption.SO_REUSEADDR, true);
                    if (transport.reusePort()) b.option(EpollChannelOption.SO_REUSEPORT, true);
                    bound.add(bind(l, address, b.bind(new InetSocketAddress(address, l.getPort()))));
                }
            }
        } catch (RuntimeException e) {
            closeAll(bound);
            throw e;
        }
        LOG.info("listener " + l.getName() + ": " + (l.hasHttp() ? "http" : "tcp") + " on " + address + ":" + l.getPort()
                + " flavor " + SocketFlavors.configName(l.getFlavor()) + " (" + workers.size() + " workers, "
                + (userspace ? "stack shards" : transport.name()) + ")");
        return bound;
    }

    private static void closeAll(List<Channel> channels) {
        for (Channel c : channels) c.close().awaitUninterruptibly();
    }

    /**
     * A reloaded config's listeners: new ones bind, removed ones stop accepting, and ones whose
     * socket settings changed (address, port, flavor, TLS, backlog, L4 target) bind again.
     * Connections already accepted finish on the config they started with. A listener that
     * cannot bind fails the reload before anything changes, as far as a rebind on the same
     * port allows: that one is closed first and, on failure, bound again as it was.
     */
    private void reloadListeners(Bootstrap config) {
        java.util.Map<String, Listener> next = new java.util.LinkedHashMap<>();
        for (Listener l : config.getListenersList()) next.put(l.getName(), l);
        java.util.Map<String, Bound> fresh = new java.util.LinkedHashMap<>();
        // TLS settings may have changed: rebound listeners get a ServerTls of their own.
        java.util.Map<String, ServerTls> replacedTls = new java.util.HashMap<>();
        List<Bound> closedFirst = new ArrayList<>();
        List<String> touched = new ArrayList<>();
        try {
            for (Listener l : next.values()) {
                Bound old = bound.get(l.getName());
                if (old != null && sameSocket(old.config(), l)) continue;
                ServerTls t = listenerTls.remove(l.getName());
                if (t != null) replacedTls.put(l.getName(), t);
                touched.add(l.getName());
                if (old != null && mustFreePort(old.config(), l)) {
                    closeAll(bound.remove(l.getName()).channels());
                    closedFirst.add(old);
                }
                fresh.put(l.getName(), new Bound(l, bindListener(l)));
            }
        } catch (RuntimeException e) {
            fresh.values().forEach(b -> closeAll(b.channels()));
            for (String name : touched) {
                ServerTls made = listenerTls.remove(name);
                if (made != null) made.close();
            }
            listenerTls.putAll(replacedTls);
            for (Bound back : closedFirst) bound.put(back.config().getName(), new Bound(back.config(), bindListener(back.config())));
            throw new IllegalStateException(e.getMessage(), e);
        }
        fresh.forEach((name, b) -> {
            Bound replaced = bound.put(name, b);
            if (replaced != null) closeAll(replaced.channels());
        });
        // Their old server channels are closed: no new handshake uses them (live connections keep their engines).
        replacedTls.values().forEach(ServerTls::close);
        for (String name : List.copyOf(bound.keySet())) {
            if (next.containsKey(name)) continue;
            closeAll(bound.remove(name).channels());
            ServerTls t = listenerTls.remove(name);
            if (t != null) t.close();
            LOG.info("listener " + name + ": removed; its connections finish on the config they started with");
        }
    }

    /** A rebind on the same address and port that cannot happen beside the old socket (no SO_REUSEPORT to share it). */
    private boolean mustFreePort(Listener old, Listener l) {
        return old.getPort() == l.getPort() && old.getAddress().equals(l.getAddress())
                && (!transport.reusePort() || old.getFlavor() != l.getFlavor() || l.getFlavor() == yastack.api.config.SocketFlavor.USERSPACE);
    }

    /** Everything that shapes the server socket and its channel setup; routes and HTTP settings come from the snapshot. */
    private static boolean sameSocket(Listener a, Listener b) {
        return a.hasHttp() == b.hasHttp() && a.toBuilder().clearHttp().build().equals(b.toBuilder().clearHttp().build());
    }

    /**
     * Starts the active health checks of {@code s}'s clusters (on the first worker, through
     * its connect path) and stops the ones they replace.
     */
    private synchronized void startHealthChecks(ProxySnapshot s) {
        List<HealthChecker> old = healthCheckers;
        List<HealthChecker> fresh = new ArrayList<>();
        for (yastack.kernel.cluster.ClusterRuntime c : s.clusters().values()) {
            if (c.healthCheck() != null) fresh.add(new HealthChecker(c, s.clusterTls().get(c.name()), workers.getFirst()));
        }
        healthCheckers = List.copyOf(fresh);
        old.forEach(HealthChecker::stop);
        fresh.forEach(HealthChecker::start);
    }

    /** What a listener's server channel looks like on either flavor (the channel type is the caller's). */
    private ServerBootstrap serverBootstrap(Listener l, WorkerContext w, io.netty.channel.EventLoopGroup childGroup) {
        ServerBootstrap b = new ServerBootstrap()
                .group(w.loop, childGroup)
                .option(ChannelOption.SO_BACKLOG, l.getBacklog() == 0 ? 1024 : l.getBacklog())
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(64 * 1024, 256 * 1024))
                .childHandler(l.hasHttp() ? httpInitializer(l, w) : tcpInitializer(l, w));
        if (l.hasTcp()) b.childOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
        return b;
    }

    private static Channel bind(Listener l, String address, ChannelFuture bound) {
        ChannelFuture f = bound.awaitUninterruptibly();
        if (!f.isSuccess()) {
            throw new IllegalStateException("listener " + l.getName() + ": cannot bind " + address + ":"
                    + l.getPort() + ": " + f.cause().getMessage(), f.cause());
        }
        return f.channel();
    }

    private ChannelInitializer<Channel> httpInitializer(Listener l, WorkerContext w) {
        String listener = l.getName();
        ListenerStats ls = new ListenerStats(w.stats, listener);
        ServerTls tls = l.hasTls() ? listenerTls.computeIfAbsent(listener, n -> new ServerTls(n, l.getTls(), baseDir)) : null;
        HttpPipelines pipelines = new HttpPipelines(w, ls, listener, snapshot::get);
        java.util.function.Consumer<io.netty.channel.ChannelPipeline> setup = p -> {
            if (tls == null) {
                pipelines.http1(p);
                return;
            }
            p.addLast("tls", new SniHandler(tls));
            p.addLast("tls-stats", new TlsStatsHandler(w.stats, "listener." + listener));
            p.addLast("alpn", pipelines.alpn());
        };
        return withProxyProtocol(l, w, setup);
    }

    /** The channel set-up, behind a PROXY protocol header reader when the listener expects one. */
    private static ChannelInitializer<Channel> withProxyProtocol(Listener l, WorkerContext w,
                                                                 java.util.function.Consumer<io.netty.channel.ChannelPipeline> setup) {
        yastack.kernel.stats.Counter errors = l.getProxyProtocol()
                ? w.stats.counter("listener." + l.getName() + ".downstream_cx_proxy_proto_error") : null;
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                if (errors != null) ProxyProtocolReader.install(ch.pipeline(), errors, setup);
                else setup.accept(ch.pipeline());
            }
        };
    }

    /** Gives the proxy the data plane's stack shards; call before {@link #start()}. */
    public void useUserspaceNetwork(UserspaceNetwork network) {
        this.userspace = network;
        for (WorkerContext w : workers) w.userspace = network;
    }

    private ChannelInitializer<Channel> tcpInitializer(Listener l, WorkerContext w) {
        return withProxyProtocol(l, w, p -> p.addLast("tcp", new TcpProxyHandler(w, l.getName(), l.getTcp().getCluster(), snapshot.get(),
                l.getProxyProtocol())));
    }

    /** Swaps in a new config for routes and clusters; listener sockets stay as they are. */
    public synchronized void reload(Bootstrap config) {
        ProxySnapshot s = ProxySnapshot.compile(config, baseDir, AccessLog.open(config.getAccessLog()), plugins, scripts);
        // The snapshot first, so connections to a new listener find their config from the start.
        ProxySnapshot previous = snapshot.getAndSet(s);
        if (!started) return;
        try {
            reloadListeners(config);
        } catch (RuntimeException e) {
            snapshot.set(previous);
            throw e;
        }
        startHealthChecks(s);
    }

    /** The clusters of the current snapshot (shared runtime objects, read-only). */
    public java.util.Map<String, yastack.kernel.cluster.ClusterRuntime> clusters() {
        return snapshot.get().clusters();
    }

    public Bootstrap config() {
        return snapshot.get().config();
    }



    /** Adds a userspace data-path poller to worker {@code index}'s loop (runs on that loop). */
    public void addPoller(int index, DataPathPoller poller) {
        WorkerContext w = workers.get(index);
        w.loop.execute(() -> ioHandlers.get(index).addPoller(poller));
    }

    /** Worker {@code index}'s event loop, for work that must run on it. */
    public EventLoop workerLoop(int index) {
        return workers.get(index).loop;
    }

    public int workerCount() {
        return workers.size();
    }

    public StatsStore stats() {
        return stats;
    }

    @Override
    public void close() {
        synchronized (this) {
            healthCheckers.forEach(HealthChecker::stop);
            healthCheckers = List.of();
        }
        listenerTls.values().forEach(ServerTls::close);
        bound.values().forEach(b -> closeAll(b.channels()));
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
    }
}
