package yastack.kernel.transport;

import io.netty.channel.Channel;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringDatagramChannel;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringIoHandlerConfig;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import yastack.kernel.util.Logs;

/**
 * How the workers drive host-flavor sockets. io_uring first: one system call per loop round
 * submits every read, write, accept and close and collects their completions, where epoll
 * needs a wait plus a call per operation (about 40% less CPU per request and per connection
 * here, bench/README.md). Kernels or sandboxes without it (seccomp profiles of container
 * runtimes often refuse io_uring_setup) get epoll, and NIO when neither native library loads.
 * Both native transports offer SO_REUSEPORT, which lets every worker accept on a socket of its own.
 */
public record HostTransport(String name, IoHandlerFactory ioHandlerFactory, Class<? extends ServerChannel> serverChannel,
                            Class<? extends Channel> channel, boolean reusePort) {
    /**
     * The transport {@code preference} names: {@code auto} (or empty) takes the first of
     * io_uring, epoll and NIO that works here; a named one must work.
     *
     * @throws IllegalStateException when the named transport cannot run here, with the reason
     */
    public static HostTransport select(String preference) {
        String p = preference == null || preference.isEmpty() ? "auto" : preference;
        boolean auto = p.equals("auto");
        if (auto || p.equals("io_uring")) {
            if (IoUring.isAvailable()) return ioUring();
            if (!auto) throw unavailable("io_uring", IoUring.unavailabilityCause());
        }
        if (auto || p.equals("epoll")) {
            if (Epoll.isAvailable()) {
                if (auto) {
                    // Operators look for this when a pod runs slower than a bare host: say why.
                    Throwable cause = IoUring.unavailabilityCause();
                    Logs.get("yastack").log(System.Logger.Level.INFO, "io_uring unavailable ("
                            + (cause == null ? "unknown reason" : cause.getMessage()) + "); host sockets use epoll");
                }
                return epoll();
            }
            if (!auto) throw unavailable("epoll", Epoll.unavailabilityCause());
        }
        if (!auto && !p.equals("nio")) throw new IllegalArgumentException("unknown host transport '" + p + "'");
        if (auto) {
            Logs.get("yastack").log(System.Logger.Level.WARNING, "native io_uring and epoll unavailable ("
                    + Epoll.unavailabilityCause() + "); using NIO with one accept socket");
        }
        return new HostTransport("nio", NioIoHandler.newFactory(), NioServerSocketChannel.class, NioSocketChannel.class, false);
    }

    /**
     * Netty's ring of 4,096 entries, with a completion queue four times that: a worker closing
     * thousands of connections at once (a drain, a shutdown, a client's mass disconnect) gets a
     * completion or two for each, which overflowed 4,096 slots (no completion is lost, the kernel
     * holds the overflow, but each overflow took the slower path and logged a warning).
     */
    static final int COMPLETION_QUEUE_SIZE = 16_384;

    private static HostTransport ioUring() {
        return new HostTransport("io_uring", IoUringIoHandler.newFactory(new IoUringIoHandlerConfig().setCqSize(COMPLETION_QUEUE_SIZE)),
                IoUringServerSocketChannel.class, IoUringSocketChannel.class, true);
    }

    private static HostTransport epoll() {
        return new HostTransport("epoll", EpollIoHandler.newFactory(), EpollServerSocketChannel.class,
                EpollSocketChannel.class, true);
    }

    private static IllegalStateException unavailable(String name, Throwable cause) {
        return new IllegalStateException("host_transport: " + name + " is not available here: "
                + (cause == null ? "unknown reason" : cause.getMessage()), cause);
    }

    /** The UDP channel class of this transport (DNS lookups on the workers' loops). */
    public Class<? extends DatagramChannel> datagramChannel() {
        return switch (name) {
            case "io_uring" -> IoUringDatagramChannel.class;
            case "epoll" -> EpollDatagramChannel.class;
            default -> NioDatagramChannel.class;
        };
    }
}
