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

/**
 * Host-flavor socket classes: native epoll when it loads, NIO otherwise (with a log line).
 * Only epoll offers SO_REUSEPORT, which lets every worker accept on a socket of its own.
 */
public record HostTransport(String name, IoHandlerFactory ioHandlerFactory, Class<? extends ServerChannel> serverChannel,
                            Class<? extends Channel> channel, boolean reusePort) {
    public static HostTransport detect() {
        if (Epoll.isAvailable()) {
            return new HostTransport("epoll", EpollIoHandler.newFactory(), EpollServerSocketChannel.class,
                    EpollSocketChannel.class, true);
        }
        System.getLogger("yastack").log(System.Logger.Level.WARNING,
                "native epoll unavailable (" + Epoll.unavailabilityCause() + "); using NIO with one accept socket");
        return new HostTransport("nio", NioIoHandler.newFactory(), NioServerSocketChannel.class, NioSocketChannel.class, false);
    }

    /** The UDP channel class of this transport (DNS lookups on the workers' loops). */
    public Class<? extends DatagramChannel> datagramChannel() {
        return "epoll".equals(name) ? EpollDatagramChannel.class : NioDatagramChannel.class;
    }
}
