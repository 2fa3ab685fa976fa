package yastack.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link ListenerSockets} sets no TCP_NODELAY child option because the channels it accepts turn
 * Nagle off themselves (the option would make a second system call per connection). This
 * checks that on real accepted and connected sockets (UpstreamConnector sets no option either)
 * of both host transports: epoll reads the option back from the kernel.
 */
class AcceptedNoDelayTest {
    private static boolean acceptedNoDelay(EventLoopGroup group, Class<? extends io.netty.channel.ServerChannel> type) throws Exception {
        CompletableFuture<Boolean> noDelay = new CompletableFuture<>();
        Channel server = new ServerBootstrap().group(group).channel(type).childHandler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                noDelay.complete(ch.config().getOption(ChannelOption.TCP_NODELAY));
            }
        }).bind(InetAddress.getLoopbackAddress(), 0).sync().channel();
        try (Socket client = new Socket(InetAddress.getLoopbackAddress(), ((InetSocketAddress) server.localAddress()).getPort())) {
            boolean accepted = noDelay.get(5, TimeUnit.SECONDS);
            // And a connection we open (an upstream's), as UpstreamConnector does: no option either.
            Class<? extends Channel> clientType = type == EpollServerSocketChannel.class ? EpollSocketChannel.class : NioSocketChannel.class;
            Channel connected = new Bootstrap().group(group).channel(clientType).handler(new ChannelInboundHandlerAdapter())
                    .connect(server.localAddress()).sync().channel();
            boolean outbound = connected.config().getOption(ChannelOption.TCP_NODELAY);
            connected.close().sync();
            return accepted && outbound;
        } finally {
            server.close().sync();
        }
    }

    @Test
    void epollAndNioAcceptWithNagleOff() throws Exception {
        EventLoopGroup epoll = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        EventLoopGroup nio = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            assertEquals(true, acceptedNoDelay(epoll, EpollServerSocketChannel.class));
            assertEquals(true, acceptedNoDelay(nio, NioServerSocketChannel.class));
        } finally {
            epoll.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            nio.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }
}
