package yastack.kernel.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;

/** Host flavor: Netty's epoll channels on 127.0.0.1, on the same composite worker loops. */
final class HostFixture implements Fixture {
    private final Worker server = new Worker();
    private final Worker client = new Worker();

    @Override
    public String name() {
        return "host";
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
        return new ServerBootstrap().group(server.loop()).channel(EpollServerSocketChannel.class);
    }

    @Override
    public Bootstrap client() {
        return new Bootstrap().group(client.loop()).channel(EpollSocketChannel.class);
    }

    @Override
    public InetSocketAddress bindAddress() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    }

    @Override
    public InetSocketAddress refusingAddress() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return (InetSocketAddress) s.getLocalSocketAddress(); // closed again: nothing listens there
        }
    }

    /** A listener with backlog 1 that never accepts: once its queue is full, Linux drops further SYNs. */
    @Override
    public Blackhole blackhole() throws IOException {
        ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        List<Socket> fillers = new ArrayList<>();
        InetSocketAddress addr = (InetSocketAddress) listener.getLocalSocketAddress();
        boolean full = false;
        for (int i = 0; i < 16 && !full; i++) {
            Socket s = new Socket();
            fillers.add(s);
            try {
                s.connect(addr, 300);
            } catch (SocketTimeoutException e) {
                full = true;
            }
        }
        if (!full) {
            throw new IllegalStateException("could not fill the accept queue of " + addr);
        }
        return new Blackhole() {
            @Override
            public InetSocketAddress address() {
                return addr;
            }

            @Override
            public void close() {
                for (Socket s : fillers) {
                    try {
                        s.close();
                    } catch (IOException ignored) {
                        // best effort
                    }
                }
                try {
                    listener.close();
                } catch (IOException ignored) {
                    // best effort
                }
            }
        };
    }

    @Override
    public void close() {
        client.close();
        server.close();
    }
}
