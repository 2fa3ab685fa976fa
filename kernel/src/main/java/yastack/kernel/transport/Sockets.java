package yastack.kernel.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.unix.UnixChannelOption;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import yastack.api.config.SocketFlavor;
import yastack.kernel.loop.WorkerGroup;
import yastack.stack.NetStack;

/**
 * Dual-flavor sockets: the one place that knows how a listening or connecting socket of
 * either flavor is made on a worker. Callers get plain Netty channels and bootstraps, host
 * and userspace alike, and set up their pipelines the same way for both.
 */
public final class Sockets {
    private final WorkerGroup workers;
    private volatile UserspaceNetwork userspace;

    public Sockets(WorkerGroup workers) {
        this.workers = workers;
    }

    /** Gives userspace sockets their stack shards (the data plane, once started). */
    public void attachUserspace(UserspaceNetwork network) {
        this.userspace = network;
    }

    /** Whether userspace sockets can be made (a data plane with interfaces is attached). */
    public boolean hasUserspace() {
        return userspace != null;
    }

    public WorkerGroup workers() {
        return workers;
    }

    /**
     * Whether a listener of {@code flavor} is bound on every worker, each accepting its own
     * connections (userspace shards; host sockets with SO_REUSEPORT), rather than once for
     * the whole group.
     */
    public boolean bindsPerWorker(SocketFlavor flavor) {
        return flavor == SocketFlavor.USERSPACE || workers.hostTransport().reusePort();
    }

    /** How listeners of {@code flavor} accept, for logs: {@code epoll}, {@code nio} or {@code stack shards}. */
    public String describe(SocketFlavor flavor) {
        return flavor == SocketFlavor.USERSPACE ? "stack shards" : workers.hostTransport().name();
    }

    /**
     * Binds a listening socket of {@code flavor} for worker {@code worker}. {@code template}
     * holds the child handler and child options; this sets the loops, the channel type and
     * the flavor's socket options. A userspace listener gets one channel per stack shard of
     * the worker whose interface has the address (all of them for 0.0.0.0).
     *
     * @throws IllegalStateException naming the address and the cause when a bind fails;
     *         channels bound before the failure are closed
     */
    public List<Channel> bind(SocketFlavor flavor, int worker, InetSocketAddress address, ServerBootstrap template) {
        EventLoop loop = workers.loop(worker);
        List<Channel> bound = new ArrayList<>();
        try {
            if (flavor == SocketFlavor.USERSPACE) {
                for (NetStack shard : network().listenerShards(worker, address.getAddress().getHostAddress())) {
                    ServerBootstrap b = template.clone().group(loop, loop).channelFactory(() -> new UserspaceServerChannel(shard));
                    // A shard is only touched on its worker's thread, so bind from there.
                    bound.add(await(address, loop.submit(() -> b.bind(address)).syncUninterruptibly().getNow()));
                }
            } else {
                HostTransport host = workers.hostTransport();
                ServerBootstrap b = template.clone().group(loop, host.reusePort() ? loop : workers.group())
                        .channel(host.serverChannel())
                        .option(ChannelOption.SO_REUSEADDR, true);
                if (host.reusePort()) b.option(UnixChannelOption.SO_REUSEPORT, true);
                bound.add(await(address, b.bind(address)));
            }
        } catch (RuntimeException e) {
            for (Channel c : bound) c.close().awaitUninterruptibly();
            throw e;
        }
        return bound;
    }

    private static Channel await(InetSocketAddress address, ChannelFuture f) {
        f.awaitUninterruptibly();
        if (!f.isSuccess()) {
            throw new IllegalStateException("cannot bind " + address.getAddress().getHostAddress() + ":" + address.getPort()
                    + ": " + f.cause().getMessage(), f.cause());
        }
        return f.channel();
    }

    /**
     * A client bootstrap on worker {@code worker}'s loop for {@code flavor}: a host socket, or
     * a userspace socket on the shard whose interface routes to {@code remoteHost}, with a
     * source port whose return flow RSS steers back to this worker (F-Stack's rss_check).
     */
    public Bootstrap client(SocketFlavor flavor, int worker, String remoteHost) {
        Bootstrap b = new Bootstrap().group(workers.loop(worker));
        if (flavor == SocketFlavor.USERSPACE) {
            UserspaceNetwork net = network();
            NetStack shard = net.upstreamShard(worker, remoteHost);
            LocalPortChooser chooser = net.portChooser(worker, shard);
            return b.channelFactory(() -> new UserspaceSocketChannel(shard, chooser));
        }
        return b.channel(workers.hostTransport().channel());
    }

    private UserspaceNetwork network() {
        UserspaceNetwork net = userspace;
        if (net == null) throw new IllegalStateException("flavor userspace needs a stack: section with an interface");
        return net;
    }
}
