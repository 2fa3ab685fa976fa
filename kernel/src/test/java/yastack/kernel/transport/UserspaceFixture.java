package yastack.kernel.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import java.net.InetSocketAddress;
import yastack.kernel.io.MacAddress;
import yastack.kernel.io.mem.MemoryPort;
import yastack.kernel.io.mem.MemorySwitch;
import yastack.stack.NetStack;
import yastack.stack.StackConfig;

/**
 * Userspace flavor: two stack shards on an in-memory switch (10.77.0.1 serves, 10.77.0.2
 * connects), each driven by a {@link StackPoller} on its own worker loop, or both on one loop
 * (as a proxy's downstream and upstream share their worker).
 */
final class UserspaceFixture implements Fixture {
    static final String SERVER_IP = "10.77.0.1";
    static final String CLIENT_IP = "10.77.0.2";

    private final MemorySwitch sw = new MemorySwitch();
    private final Worker server;
    private final Worker client;
    private final MemoryPort serverPort;
    private final MemoryPort clientPort;
    private final NetStack serverStack;
    private final NetStack clientStack;

    UserspaceFixture() throws Exception {
        this(false);
    }

    UserspaceFixture(boolean oneLoop) throws Exception {
        server = new Worker();
        client = oneLoop ? server : new Worker();
        serverPort = sw.attach("srv", MacAddress.parse("02:00:00:00:00:01"), 1, 1500, 4096);
        clientPort = sw.attach("cli", MacAddress.parse("02:00:00:00:00:02"), 1, 1500, 4096);
        StackPoller sp = new StackPoller(serverPort, 0, config(serverPort, SERVER_IP));
        StackPoller cp = new StackPoller(clientPort, 0, config(clientPort, CLIENT_IP));
        serverStack = sp.stack();
        clientStack = cp.stack();
        server.addPoller(sp);
        client.addPoller(cp);
    }

    private static StackConfig config(MemoryPort port, String ip) {
        return new StackConfig().mac(port.mac().bits()).address(ip, 24).timeWaitNanos(2_000_000_000L);
    }

    @Override
    public String name() {
        return "userspace";
    }

    @Override
    public Worker serverWorker() {
        return server;
    }

    @Override
    public Worker clientWorker() {
        return client;
    }

    NetStack serverStack() {
        return serverStack;
    }

    NetStack clientStack() {
        return clientStack;
    }

    @Override
    public ServerBootstrap server() {
        return new ServerBootstrap().group(server.loop()).channelFactory(() -> new UserspaceServerChannel(serverStack));
    }

    @Override
    public Bootstrap client() {
        return new Bootstrap().group(client.loop()).channelFactory(() -> new UserspaceSocketChannel(clientStack));
    }

    @Override
    public InetSocketAddress bindAddress() {
        return new InetSocketAddress(SERVER_IP, 0);
    }

    @Override
    public InetSocketAddress refusingAddress() {
        return new InetSocketAddress(SERVER_IP, 9);
    }

    /** An address in the subnet where no host answers ARP, so the SYN never leaves. */
    @Override
    public Blackhole blackhole() {
        InetSocketAddress a = new InetSocketAddress("10.77.0.99", 80);
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
        if (client != server) {
            client.close();
        }
        server.close();
        clientPort.close();
        serverPort.close();
    }
}
