package yastack.kernel.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import yastack.kernel.io.MacAddress;
import yastack.kernel.io.mem.MemoryPort;
import yastack.kernel.io.mem.MemorySwitch;
import yastack.kernel.io.rss.RedirectionTable;
import yastack.kernel.io.rss.RssPortSelector;
import yastack.kernel.io.rss.Toeplitz;
import yastack.stack.NetStack;
import yastack.stack.StackConfig;
import yastack.stack.TcpConnection;

/** What only the userspace flavor has: loop registration, options on the stack, port choice, accept queue. */
class UserspaceChannelTest {
    private UserspaceFixture fx;

    @BeforeEach
    void setUp() throws Exception {
        fx = new UserspaceFixture();
    }

    @AfterEach
    void tearDown() {
        fx.close();
    }

    private Channel echoServer() {
        return fx.server().childHandler(echoInit()).bind(fx.bindAddress()).syncUninterruptibly().channel();
    }

    private static ChannelInitializer<Channel> echoInit() {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(new TestHandlers.Echo());
            }
        };
    }

    private static <T> T onLoop(Channel ch, java.util.concurrent.Callable<T> task) throws Exception {
        return ch.eventLoop().submit(task).get(5, TimeUnit.SECONDS);
    }

    @Test
    @Timeout(30)
    void channelsRegisterOnTheWorkerLoopAndLeaveItWhenClosed() throws Exception {
        Channel server = echoServer();
        assertEquals(1, fx.serverWorker().polledRegistrations());
        CompletableFuture<Void> echoed = new CompletableFuture<>();
        Channel client = fx.client().handler(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                ((ByteBuf) msg).release();
                echoed.complete(null);
            }
        }).connect(server.localAddress()).sync().channel();
        client.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {1, 2, 3}));
        echoed.get(5, TimeUnit.SECONDS);
        assertEquals(2, fx.serverWorker().polledRegistrations(), "listener and accepted channel");
        assertEquals(1, fx.clientWorker().polledRegistrations());
        client.close().sync();
        server.close().sync();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (fx.serverWorker().polledRegistrations() != 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(0, fx.serverWorker().polledRegistrations());
        assertEquals(0, fx.clientWorker().polledRegistrations());
    }

    @Test
    @Timeout(30)
    void shuttingTheWorkerDownClosesItsChannelsAndThePeerSeesIt() throws Exception {
        CompletableFuture<Channel> accepted = new CompletableFuture<>();
        Channel server = fx.server().childHandler(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelActive(ChannelHandlerContext ctx) {
                accepted.complete(ctx.channel());
            }
        }).bind(fx.bindAddress()).sync().channel();
        CompletableFuture<Void> clientInactive = new CompletableFuture<>();
        Channel client = fx.client().handler(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelInactive(ChannelHandlerContext ctx) {
                clientInactive.complete(null);
            }
        }).connect(server.localAddress()).sync().channel();
        Channel child = accepted.get(5, TimeUnit.SECONDS);
        fx.serverWorker().close();
        assertTrue(server.closeFuture().await(5, TimeUnit.SECONDS));
        assertTrue(child.closeFuture().await(5, TimeUnit.SECONDS));
        clientInactive.get(10, TimeUnit.SECONDS); // the child's FIN reached the client, which closed
        assertFalse(client.isActive());
    }

    @Test
    @Timeout(30)
    void optionsReachTheStackConnectionOnBothSides() throws Exception {
        CompletableFuture<UserspaceSocketChannel> accepted = new CompletableFuture<>();
        Channel server = fx.server()
                .childOption(ChannelOption.TCP_NODELAY, false)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childOption(ChannelOption.SO_RCVBUF, 65536)
                .childHandler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelActive(ChannelHandlerContext ctx) {
                        accepted.complete((UserspaceSocketChannel) ctx.channel());
                    }
                }).bind(fx.bindAddress()).sync().channel();
        UserspaceSocketChannel client = (UserspaceSocketChannel) fx.client()
                .option(ChannelOption.SO_SNDBUF, 32768)
                .option(ChannelOption.SO_LINGER, 0)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .handler(new ChannelInboundHandlerAdapter()).connect(server.localAddress()).sync().channel();
        TcpConnection c = onLoop(client, client::connection);
        assertEquals(32768, onLoop(client, c::sendBufferSize));
        assertEquals(0, onLoop(client, c::linger));
        assertTrue(onLoop(client, c::keepAlive));
        assertTrue(onLoop(client, c::noDelay), "TCP_NODELAY is on by default, as for Netty's sockets");
        assertEquals(32768, client.config().getOption(ChannelOption.SO_SNDBUF));
        UserspaceSocketChannel child = accepted.get(5, TimeUnit.SECONDS);
        TcpConnection s = onLoop(child, child::connection);
        assertFalse(onLoop(child, s::noDelay));
        assertTrue(onLoop(child, s::keepAlive));
        assertEquals(65536, onLoop(child, s::receiveBufferSize));
        client.config().setTcpNoDelay(false);
        assertFalse(onLoop(client, c::noDelay), "a later change reaches the live connection");
    }

    @Test
    @Timeout(30)
    void connectUsesTheChoosersLocalPortAndFailsWhenItHasNone() throws Exception {
        Channel server = echoServer();
        List<Integer> asked = new CopyOnWriteArrayList<>();
        Channel client = new Bootstrap().group(fx.clientWorker().loop())
                .channelFactory(() -> new UserspaceSocketChannel(fx.clientStack(), (stack, addr, port) -> {
                    asked.add(port);
                    return 40001;
                }))
                .handler(new ChannelInboundHandlerAdapter()).connect(server.localAddress()).sync().channel();
        assertEquals(40001, ((InetSocketAddress) client.localAddress()).getPort());
        assertEquals(List.of(((InetSocketAddress) server.localAddress()).getPort()), asked);
        ChannelFuture none = new Bootstrap().group(fx.clientWorker().loop())
                .channelFactory(() -> new UserspaceSocketChannel(fx.clientStack(), (stack, addr, port) -> -1))
                .handler(new ChannelInboundHandlerAdapter()).connect(server.localAddress()).awaitUninterruptibly();
        assertInstanceOf(BindException.class, none.cause().getCause(), "Netty annotates it with the address");
        ChannelFuture same = new Bootstrap().group(fx.clientWorker().loop())
                .channelFactory(() -> new UserspaceSocketChannel(fx.clientStack(), (stack, addr, port) -> 40001))
                .handler(new ChannelInboundHandlerAdapter()).connect(server.localAddress()).awaitUninterruptibly();
        assertInstanceOf(BindException.class, same.cause().getCause(), "the 4-tuple is taken");
        client.close().sync();
    }

    @Test
    @Timeout(30)
    void bindingATakenPortOrAForeignAddressFails() throws Exception {
        Channel server = echoServer();
        ChannelFuture again = fx.server().childHandler(echoInit()).bind(server.localAddress()).awaitUninterruptibly();
        assertInstanceOf(BindException.class, again.cause());
        ChannelFuture foreign = fx.server().childHandler(echoInit())
                .bind(new InetSocketAddress("10.77.0.42", 80)).awaitUninterruptibly();
        assertInstanceOf(BindException.class, foreign.cause());
        assertTrue(again.channel().closeFuture().await(5, TimeUnit.SECONDS), "Netty closes a channel that failed to bind");
        assertTrue(foreign.channel().closeFuture().await(5, TimeUnit.SECONDS));
        assertEquals(new InetSocketAddress(UserspaceFixture.SERVER_IP, ((InetSocketAddress) server.localAddress()).getPort()),
                server.localAddress());
    }

    @Test
    @Timeout(30)
    void acceptQueueHoldsBacklogConnectionsUntilReadAndResetsTheRest() throws Exception {
        List<Channel> children = new CopyOnWriteArrayList<>();
        Channel server = fx.server().option(ChannelOption.SO_BACKLOG, 2).option(ChannelOption.AUTO_READ, false)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        children.add(ch);
                    }
                }).bind(fx.bindAddress()).sync().channel();
        AtomicInteger resets = new AtomicInteger();
        List<Channel> clients = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            clients.add(fx.client().handler(new ChannelInboundHandlerAdapter() {
                @Override
                public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                    resets.incrementAndGet();
                }
            }).connect(server.localAddress()).sync().channel());
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (resets.get() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(2, resets.get(), "connections beyond the backlog are reset");
        assertEquals(0, children.size(), "nothing accepted before read()");
        for (int i = 1; i <= 2; i++) {
            server.read();
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (children.size() < i && System.nanoTime() < until) {
                Thread.sleep(5);
            }
            Thread.sleep(50);
            assertEquals(i, children.size(), "one accept per read() with autoRead off");
        }
        assertEquals(2, clients.stream().filter(Channel::isActive).count());
    }

    @Test
    @Timeout(30)
    void rssLocalChooserPicksPortsWhoseRepliesReachThePolledQueue() throws Exception {
        MemorySwitch sw = new MemorySwitch();
        MemoryPort srv = sw.attach("s", MacAddress.parse("02:00:00:00:01:01"), 1, 1500, 4096);
        MemoryPort cli = sw.attach("c", MacAddress.parse("02:00:00:00:01:02"), 2, 1500, 4096);
        try (Worker sw0 = new Worker(); Worker cw = new Worker()) {
            StackPoller sp = new StackPoller(srv, 0, new StackConfig().mac(srv.mac().bits()).address("10.78.0.1", 24));
            // only queue 0 is polled: a reply hashed to queue 1 would never be seen
            StackPoller cp = new StackPoller(cli, 0, new StackConfig().mac(cli.mac().bits()).address("10.78.0.2", 24));
            sw0.addPoller(sp);
            cw.addPoller(cp);
            RssPortSelector rss = new RssPortSelector(Toeplitz.symmetric(), RedirectionTable.roundRobin(2));
            NetStack stack = cp.stack();
            Channel server = new io.netty.bootstrap.ServerBootstrap().group(sw0.loop())
                    .channelFactory(() -> new UserspaceServerChannel(sp.stack())).childHandler(echoInit())
                    .bind(new InetSocketAddress("10.78.0.1", 80)).sync().channel();
            int otherQueue = 0;
            for (int i = 0; i < 20; i++) {
                int p = stack.pickEphemeralPort(0x0a4e0001, 80, null);
                if (rss.queueOfInbound(0x0a4e0002, p, 0x0a4e0001, 80) == 1) {
                    otherQueue++;
                }
            }
            assertTrue(otherQueue > 0, "any port would do: the test could not tell choosers apart");
            for (int i = 0; i < 20; i++) {
                CompletableFuture<Void> echoed = new CompletableFuture<>();
                Channel c = new Bootstrap().group(cw.loop())
                        .channelFactory(() -> new UserspaceSocketChannel(stack, LocalPortChooser.rssLocal(rss, 0)))
                        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 3000)
                        .handler(new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                ((ByteBuf) msg).release();
                                echoed.complete(null);
                            }
                        }).connect(server.localAddress()).sync().channel();
                int lport = ((InetSocketAddress) c.localAddress()).getPort();
                assertEquals(0, rss.queueOfInbound(0x0a4e0002, lport, 0x0a4e0001, 80));
                c.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {7}));
                echoed.get(5, TimeUnit.SECONDS);
                c.close().sync();
            }
            server.close().sync();
        } finally {
            cli.close();
            srv.close();
        }
    }

    @Test
    @Timeout(30)
    void anAcceptedChannelOnAnotherLoopIsRefusedRegistration() throws Exception {
        try (Worker other = new Worker()) {
            CompletableFuture<Throwable> failure = new CompletableFuture<>();
            Channel server = new io.netty.bootstrap.ServerBootstrap().group(fx.serverWorker().loop(), other.loop())
                    .channelFactory(() -> new UserspaceServerChannel(fx.serverStack()))
                    .childHandler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel ch) {
                        }
                    }).bind(fx.bindAddress()).sync().channel();
            server.pipeline().addFirst(new ChannelInboundHandlerAdapter() {
                @Override
                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    Channel child = (Channel) msg;
                    ctx.fireChannelRead(msg);
                    child.closeFuture().addListener(f -> failure.complete(new IllegalStateException("closed")));
                }
            });
            CompletableFuture<Void> clientInactive = new CompletableFuture<>();
            fx.client().handler(new ChannelInboundHandlerAdapter() {
                @Override
                public void channelInactive(ChannelHandlerContext ctx) {
                    clientInactive.complete(null);
                }
            }).connect(server.localAddress()).sync();
            assertNotNull(failure.get(5, TimeUnit.SECONDS));
            clientInactive.get(10, TimeUnit.SECONDS);
        }
    }
}
