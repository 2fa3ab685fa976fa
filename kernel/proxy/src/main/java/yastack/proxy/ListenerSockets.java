package yastack.proxy;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.concurrent.ConcurrentHashMap;
import yastack.api.SocketFlavors;
import yastack.api.config.Bootstrap;
import yastack.api.config.Listener;
import yastack.api.config.SocketFlavor;
import yastack.kernel.stats.Counter;
import yastack.kernel.transport.Sockets;
import yastack.kernel.util.Logs;
import yastack.proxy.edge.AdmissionStats;
import yastack.proxy.tls.LoadedCertificate;
import yastack.proxy.tls.ServerTls;
import yastack.proxy.tls.TlsStatsHandler;

/**
 * The listening sockets of every configured listener, bound on every worker (or stack
 * shard) through the kernel's socket facade, and what a reload does to them: new listeners
 * bind, removed ones stop accepting, and ones whose socket settings changed bind again.
 * A change of an HTTP listener's routes or TLS leaves its sockets bound: each connection
 * reads both when it is accepted, so a rotated certificate (a file, an SDS secret) never
 * closes a listening socket, which would reset the connections waiting in its accept queue.
 * Connections already accepted finish on the config they started with.
 */
final class ListenerSockets {
    private static final System.Logger LOG = Logs.get("yastack");

    /** A bound listener: the config it was bound with and its server channels. */
    private record Bound(Listener config, List<Channel> channels) {}

    private final Sockets sockets;
    private final List<ProxyWorker> workers;
    private final Supplier<ProxySnapshot> snapshot;
    private final Path baseDir;
    private final Map<String, Bound> bound = new LinkedHashMap<>();
    /** Read by the admin API's {@code /certs} while a reload may change it. */
    private final Map<String, ServerTls> tls = new ConcurrentHashMap<>();
    private final ConnectionAdmission admission;

    ListenerSockets(Sockets sockets, List<ProxyWorker> workers, Supplier<ProxySnapshot> snapshot, Path baseDir,
                    ConnectionAdmission admission) {
        this.admission = admission;
        this.sockets = sockets;
        this.workers = workers;
        this.snapshot = snapshot;
        this.baseDir = baseDir;
    }

    /** Binds every listener of {@code config}; on failure closes what it bound and throws. */
    void bindAll(Bootstrap config) {
        try {
            for (Listener l : config.getListenersList()) {
                installTls(l);
                bound.put(l.getName(), new Bound(l, bind(l)));
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * Brings the bound sockets in line with {@code config}. A listener that cannot bind fails
     * the reload before anything changes, as far as a rebind on the same port allows: that
     * one is closed first and, on failure, bound again as it was.
     */
    void reload(Bootstrap config) {
        Map<String, Listener> next = new LinkedHashMap<>();
        for (Listener l : config.getListenersList()) next.put(l.getName(), l);
        Map<String, Bound> fresh = new LinkedHashMap<>();
        // Listeners whose TLS alone changed: the same sockets, a new ServerTls.
        Map<String, Listener> retlsed = new LinkedHashMap<>();
        // TLS settings may have changed: touched listeners get a ServerTls of their own.
        Map<String, ServerTls> replacedTls = new HashMap<>();
        List<Bound> closedFirst = new ArrayList<>();
        List<String> touched = new ArrayList<>();
        try {
            for (Listener l : next.values()) {
                Bound old = bound.get(l.getName());
                boolean keepSockets = old != null && sameSocket(old.config(), l);
                if (keepSockets && old.config().getTls().equals(l.getTls())) continue;
                ServerTls t = tls.remove(l.getName());
                if (t != null) replacedTls.put(l.getName(), t);
                touched.add(l.getName());
                installTls(l);
                if (keepSockets) {
                    retlsed.put(l.getName(), l);
                    continue;
                }
                if (old != null && mustFreePort(old.config(), l)) {
                    closeAll(bound.remove(l.getName()).channels());
                    closedFirst.add(old);
                }
                fresh.put(l.getName(), new Bound(l, bind(l)));
            }
        } catch (RuntimeException e) {
            fresh.values().forEach(b -> closeAll(b.channels()));
            for (String name : touched) {
                ServerTls made = tls.remove(name);
                if (made != null) made.close();
            }
            tls.putAll(replacedTls);
            for (Bound back : closedFirst) bound.put(back.config().getName(), new Bound(back.config(), bind(back.config())));
            throw new IllegalStateException(e.getMessage(), e);
        }
        fresh.forEach((name, b) -> {
            Bound replaced = bound.put(name, b);
            if (replaced != null) closeAll(replaced.channels());
        });
        retlsed.forEach((name, l) -> {
            bound.put(name, new Bound(l, bound.get(name).channels()));
            LOG.log(System.Logger.Level.INFO, "listener " + name + ": TLS settings changed; new handshakes use them, the sockets stay bound");
        });
        // No new connection looks these up any more (live ones keep their engines).
        replacedTls.values().forEach(ServerTls::close);
        for (String name : List.copyOf(bound.keySet())) {
            if (next.containsKey(name)) continue;
            closeAll(bound.remove(name).channels());
            ServerTls t = tls.remove(name);
            if (t != null) t.close();
            LOG.log(System.Logger.Level.INFO, "listener " + name + ": removed; its connections finish on the config they started with");
        }
    }

    /** The certificates of every TLS listener, as loaded. */
    List<LoadedCertificate> certificates() {
        List<LoadedCertificate> out = new ArrayList<>();
        for (ServerTls t : List.copyOf(tls.values())) out.addAll(t.certificates());
        return out;
    }

    void close() {
        tls.values().forEach(ServerTls::close);
        tls.clear();
        bound.values().forEach(b -> closeAll(b.channels()));
        bound.clear();
    }

    /** Binds one listener on every worker (or stack shard); on failure closes what it bound and throws. */
    private List<Channel> bind(Listener l) {
        String address = l.getAddress().isEmpty() ? "0.0.0.0" : l.getAddress();
        SocketFlavor flavor = l.getFlavor();
        List<Channel> channels = new ArrayList<>();
        try {
            for (ProxyWorker w : sockets.bindsPerWorker(flavor) ? workers : List.of(workers.getFirst())) {
                channels.addAll(sockets.bind(flavor, w.index, new InetSocketAddress(address, l.getPort()), template(l, w)));
            }
        } catch (RuntimeException e) {
            closeAll(channels);
            throw new IllegalStateException("listener " + l.getName() + ": " + e.getMessage(), e);
        }
        LOG.log(System.Logger.Level.INFO, "listener " + l.getName() + ": " + (l.hasHttp() ? "http" : "tcp") + " on " + address + ":"
                + l.getPort() + " flavor " + SocketFlavors.configName(flavor) + " (" + workers.size() + " workers, "
                + sockets.describe(flavor) + ")");
        return channels;
    }

    private static void closeAll(List<Channel> channels) {
        for (Channel c : channels) c.close().awaitUninterruptibly();
    }

    /** A rebind on the same address and port that cannot happen beside the old socket (no SO_REUSEPORT to share it). */
    private boolean mustFreePort(Listener old, Listener l) {
        return old.getPort() == l.getPort() && old.getAddress().equals(l.getAddress())
                && (!sockets.bindsPerWorker(SocketFlavor.HOST) || old.getFlavor() != l.getFlavor()
                    || l.getFlavor() == SocketFlavor.USERSPACE);
    }

    /**
     * Everything that shapes the server socket and its channel setup; an HTTP listener's routes
     * and HTTP settings come from the snapshot and its TLS from {@link #tls}, per connection.
     */
    private static boolean sameSocket(Listener a, Listener b) {
        return a.hasHttp() == b.hasHttp() && perSocket(a).equals(perSocket(b));
    }

    private static Listener perSocket(Listener l) {
        Listener.Builder b = l.toBuilder().clearHttp();
        if (l.hasHttp()) b.clearTls();
        return b.build();
    }

    /** The listener's TLS termination, which its connections look up as they are accepted. */
    private void installTls(Listener l) {
        if (!l.hasHttp() || !l.hasTls()) return;
        try {
            tls.put(l.getName(), new ServerTls(l.getName(), l.getTls(), baseDir));
        } catch (RuntimeException e) {
            throw new IllegalStateException("listener " + l.getName() + ": " + e.getMessage(), e);
        }
    }

    /** Envoy's default per_connection_buffer_limit_bytes. */
    static final int DEFAULT_BUFFER_LIMIT = 1024 * 1024;

    /**
     * Netty's default read sizing, one instance for all accepted connections instead of one each
     * (it is configuration only; what adapts to a connection's reads is the handle it makes per
     * channel): an idle connection holds one object less. Sixteen reads per round, as each
     * transport's channel metadata sets on the instance it would make.
     */
    private static final RecvByteBufAllocator RECEIVE_SIZES = new AdaptiveRecvByteBufAllocator().maxMessagesPerRead(16);

    /**
     * The accepted connections' set-up and options, the same for either flavor. A connection
     * whose unsent bytes pass the buffer limit turns unwritable, and whatever feeds it (the
     * upstream, the other side of a tunnel) stops being read until half of them are sent.
     */
    private ServerBootstrap template(Listener l, ProxyWorker w) {
        int limit = l.hasPerConnectionBufferLimitBytes() ? l.getPerConnectionBufferLimitBytes() : DEFAULT_BUFFER_LIMIT;
        // No TCP_NODELAY child option: Netty's epoll and NIO channels and our userspace one turn it
        // on themselves, and the option would set it a second time (a system call per connection).
        ServerBootstrap b = new ServerBootstrap()
                .option(ChannelOption.SO_BACKLOG, l.getBacklog() == 0 ? 1024 : l.getBacklog())
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(limit / 2, limit))
                .childOption(ChannelOption.RCVBUF_ALLOCATOR, RECEIVE_SIZES)
                .childHandler(sockets.bindsPerWorker(l.getFlavor()) ? initializer(l, w) : byWorker(l));
        if (l.hasTcp()) b.childOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
        return b;
    }

    private ChannelInitializer<Channel> initializer(Listener l, ProxyWorker w) {
        return l.hasHttp() ? httpInitializer(l, w) : tcpInitializer(l, w);
    }

    /**
     * For one accept socket shared by every worker (no SO_REUSEPORT): accepted connections are
     * spread over the workers' loops, and each must be set up with the {@link ProxyWorker} of the
     * loop it landed on, whose pools, timers and stats only that loop's thread touches.
     */
    private ChannelInitializer<Channel> byWorker(Listener l) {
        Map<EventLoop, ChannelInitializer<Channel>> perLoop = new IdentityHashMap<>();
        for (ProxyWorker w : workers) perLoop.put(w.loop, initializer(l, w));
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(perLoop.get(ch.eventLoop()));
            }
        };
    }

    private ChannelInitializer<Channel> httpInitializer(Listener l, ProxyWorker w) {
        String listener = l.getName();
        ListenerStats ls = new ListenerStats(w.stats, listener);
        HttpPipelines pipelines = new HttpPipelines(w, ls, listener, snapshot);
        Consumer<ChannelPipeline> setup = p -> {
            ServerTls serverTls = tls.get(listener);
            if (serverTls == null) {
                pipelines.http(p);
                return;
            }
            p.addLast("tls", serverTls.newHandler(w.stats, "listener." + listener));
            p.addLast("tls-stats", new TlsStatsHandler(w.stats, "listener." + listener));
            p.addLast("alpn", pipelines.alpn());
        };
        return withProxyProtocol(l, w, setup);
    }

    private ChannelInitializer<Channel> tcpInitializer(Listener l, ProxyWorker w) {
        return withProxyProtocol(l, w, p -> p.addLast("tcp", new TcpProxyHandler(w, l.getName(), l.getTcp().getCluster(),
                snapshot.get(), l.getProxyProtocol())));
    }

    /**
     * The channel set-up, behind a PROXY protocol header reader when the listener expects one,
     * for connections the admission lets in.
     */
    private ChannelInitializer<Channel> withProxyProtocol(Listener l, ProxyWorker w, Consumer<ChannelPipeline> setup) {
        Counter errors = l.getProxyProtocol() ? w.stats.counter("listener." + l.getName() + ".downstream_cx_proxy_proto_error") : null;
        AdmissionStats refused = new AdmissionStats(w.stats, l.getName());
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                if (!admission.admit(ch, l, refused)) return;
                if (errors != null) ProxyProtocolReader.install(ch.pipeline(), errors, setup);
                else setup.accept(ch.pipeline());
            }
        };
    }
}
