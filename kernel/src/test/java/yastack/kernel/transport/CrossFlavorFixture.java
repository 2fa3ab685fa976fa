package yastack.kernel.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import yastack.kernel.fixtures.TapLink;
import yastack.stack.NetStack;
import yastack.stack.StackConfig;

/**
 * One end on each flavor, as Netty's testsuite pairs every server transport with every client
 * transport: host sockets (epoll) on one side, the userspace stack on the other, joined by a real
 * link to the Linux kernel's TCP — a {@link TapLink}. The userspace end's stack is driven by a
 * {@link StackPoller} on its own worker loop; the host end has its own worker loop too.
 *
 * <ul>
 *   <li>{@code userspaceServer == false}: epoll server on the TAP's kernel address, userspace
 *       clients connect to it from the stack's address;</li>
 *   <li>{@code userspaceServer == true}: userspace server on the stack's address, epoll clients
 *       connect to it through the kernel's route over the TAP.</li>
 * </ul>
 * Needs root; without it the constructor fails naming what is missing.
 */
final class CrossFlavorFixture implements Fixture {
    private final boolean userspaceServer;
    private final TapLink link;
    private final Worker server;
    private final Worker client;
    private final NetStack stack;

    CrossFlavorFixture(boolean userspaceServer) throws Exception {
        this.userspaceServer = userspaceServer;
        this.link = new TapLink(userspaceServer ? "ysu" : "ysh");
        Worker s = null;
        Worker c = null;
        try {
            s = new Worker();
            c = new Worker();
            StackPoller poller = new StackPoller(link.port, 0,
                    new StackConfig().mac(link.port.mac().bits()).address(link.stackIp, 24).timeWaitNanos(2_000_000_000L));
            (userspaceServer ? s : c).addPoller(poller);
            this.stack = poller.stack();
        } catch (Exception | Error e) {
            if (c != null) c.close();
            if (s != null) s.close();
            link.close();
            throw e;
        }
        this.server = s;
        this.client = c;
    }

    @Override
    public String name() {
        return userspaceServer ? "userspace server, host client" : "host server, userspace client";
    }

    @Override
    public Worker serverWorker() {
        return server;
    }

    @Override
    public Worker clientWorker() {
        return client;
    }

    @Override
    public ServerBootstrap server() {
        ServerBootstrap b = new ServerBootstrap().group(server.loop());
        return userspaceServer ? b.channelFactory(() -> new UserspaceServerChannel(stack)) : b.channel(EpollServerSocketChannel.class);
    }

    @Override
    public Bootstrap client() {
        Bootstrap b = new Bootstrap().group(client.loop());
        return userspaceServer ? b.channel(EpollSocketChannel.class) : b.channelFactory(() -> new UserspaceSocketChannel(stack));
    }

    /** The server's end of the link: the stack's address, or the kernel's address on the TAP. */
    @Override
    public InetSocketAddress bindAddress() {
        return new InetSocketAddress(userspaceServer ? link.stackIp : link.kernelIp, 0);
    }

    /** A port nothing listens on at the server's address: the stack, or the kernel, answers RST. */
    @Override
    public InetSocketAddress refusingAddress() throws IOException {
        if (userspaceServer) {
            return new InetSocketAddress(link.stackIp, 9);
        }
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(link.kernelIp))) {
            return (InetSocketAddress) s.getLocalSocketAddress(); // closed again: nothing listens there
        }
    }

    /**
     * An address in the link's subnet that neither the kernel nor the stack owns: the client's
     * ARP request goes unanswered, so its SYN never leaves.
     */
    @Override
    public Blackhole blackhole() {
        InetSocketAddress a = new InetSocketAddress(link.unusedIp, 80);
        return new Blackhole() {
            @Override
            public InetSocketAddress address() {
                return a;
            }

            @Override
            public void close() {
            }
        };
    }

    @Override
    public void close() {
        try {
            client.close();
            server.close();
        } finally {
            link.close();
        }
    }
}
