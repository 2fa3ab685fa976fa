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
import io.netty.handler.timeout.IdleStateHandler;
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
import yastack.kernel.stats.StatsStore;

/**
 * The data plane: one Netty event loop per worker, every listener bound on every worker
 * (SO_REUSEPORT lets the kernel spread connections), and the current config snapshot.
 */
public final class ProxyServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger("yastack");

    private final MultiThreadIoEventLoopGroup group;
    private final List<WorkerContext> workers = new ArrayList<>();
    private final List<Channel> serverChannels = new ArrayList<>();
    private final AtomicReference<ProxySnapshot> snapshot = new AtomicReference<>();
    private final StatsStore stats;
    private final Transport transport;
    private final List<String> boundDescriptions = new ArrayList<>();

    public ProxyServer(Bootstrap config, int workerCount, StatsStore stats) {
        this.stats = stats;
        this.transport = Transport.host();
        this.group = new MultiThreadIoEventLoopGroup(workerCount,
                Thread.ofPlatform().name("worker-", 0).factory(), transport.ioHandlerFactory());
        int i = 0;
        for (EventExecutor e : group) {
            workers.add(new WorkerContext(i, (EventLoop) e, stats.worker(i), transport));
            i++;
        }
        snapshot.set(ProxySnapshot.compile(config, AccessLog.open(config.getAccessLog())));
    }

    /** Binds every listener; throws with a clear message (e.g. address in use) on failure. */
    public void start() {
        for (Listener l : snapshot.get().config().getListenersList()) {
            if (!l.hasHttp()) continue; // tcp listeners are served by the L4 proxy
            String address = l.getAddress().isEmpty() ? "0.0.0.0" : l.getAddress();
            InetSocketAddress bindTo = new InetSocketAddress(address, l.getPort());
            List<WorkerContext> bindOn = transport.reusePort() ? workers : List.of(workers.getFirst());
            for (WorkerContext w : bindOn) {
                ServerBootstrap b = new ServerBootstrap()
                        .group(w.loop, transport.reusePort() ? w.loop : group)
                        .channel(transport.serverChannel())
                        .option(ChannelOption.SO_BACKLOG, l.getBacklog() == 0 ? 1024 : l.getBacklog())
                        .option(ChannelOption.SO_REUSEADDR, true)
                        .childOption(ChannelOption.TCP_NODELAY, true)
                        .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(64 * 1024, 256 * 1024))
                        .childHandler(httpInitializer(l.getName(), w));
                if (transport.reusePort()) b.option(EpollChannelOption.SO_REUSEPORT, true);
                ChannelFuture f = b.bind(bindTo).awaitUninterruptibly();
                if (!f.isSuccess()) {
                    close();
                    throw new IllegalStateException("listener " + l.getName() + ": cannot bind " + address + ":"
                            + l.getPort() + ": " + f.cause().getMessage(), f.cause());
                }
                serverChannels.add(f.channel());
            }
            String line = "listener " + l.getName() + ": http on " + address + ":" + l.getPort() + " flavor "
                    + SocketFlavors.configName(l.getFlavor()) + " (" + workers.size() + " workers, " + transport.name() + ")";
            boundDescriptions.add(line);
            LOG.info(line);
        }
    }

    private ChannelInitializer<Channel> httpInitializer(String listener, WorkerContext w) {
        ListenerStats ls = new ListenerStats(w.stats, listener);
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                ListenerRuntime rt = snapshot.get().listeners().get(listener);
                ch.pipeline().addLast("idle", new IdleStateHandler(0, 0, rt.idleTimeoutMillis(), TimeUnit.MILLISECONDS));
                ch.pipeline().addLast("codec", new DownstreamCodec(rt.maxHeaderBytes(), rt.headersTimeoutMillis()));
                ch.pipeline().addLast("proxy", new DownstreamHandler(w, ls, listener, snapshot::get));
            }
        };
    }

    /** Swaps in a new config for routes and clusters; listener sockets stay as they are. */
    public void reload(Bootstrap config) {
        snapshot.set(ProxySnapshot.compile(config, AccessLog.open(config.getAccessLog())));
    }

    /** The clusters of the current snapshot (shared runtime objects, read-only). */
    public java.util.Map<String, yastack.kernel.cluster.ClusterRuntime> clusters() {
        return snapshot.get().clusters();
    }

    public Bootstrap config() {
        return snapshot.get().config();
    }

    public List<String> boundListeners() {
        return List.copyOf(boundDescriptions);
    }

    /** Actual bound ports per listener name (useful when a config asks for port 0). */
    public List<InetSocketAddress> localAddresses() {
        return serverChannels.stream().map(c -> (InetSocketAddress) c.localAddress()).toList();
    }

    public int workerCount() {
        return workers.size();
    }

    public StatsStore stats() {
        return stats;
    }

    @Override
    public void close() {
        for (Channel c : serverChannels) c.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
    }
}
