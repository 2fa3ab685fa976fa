package yastack.kernel.transport;

import io.netty.channel.AbstractServerChannel;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.socket.ServerSocketChannel;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import yastack.kernel.loop.PolledIoHandle;
import yastack.stack.NetStack;
import yastack.stack.TcpConnection;
import yastack.stack.TcpHandler;
import yastack.stack.TcpListener;
import yastack.stack.TcpState;

/**
 * A Netty {@link ServerSocketChannel} listening on one port of a userspace stack shard. Bind
 * opens the stack listener; each completed handshake becomes a {@link UserspaceSocketChannel}
 * that waits in an accept queue (at most SO_BACKLOG long) until the channel reads, so a server
 * with autoRead off accepts one connection per {@code read()} as Netty's socket servers do.
 * Children must be registered on this channel's loop (use the same loop as child group).
 */
public final class UserspaceServerChannel extends AbstractServerChannel implements ServerSocketChannel {
    private static final int DYNAMIC_PORT_FIRST = 49152;

    private final NetStack stack;
    private final UserspaceServerChannelConfig config;
    private final ArrayDeque<UserspaceSocketChannel> acceptQueue = new ArrayDeque<>();
    private final Runnable readTask = this::readScheduled;
    private volatile TcpListener listener;
    private volatile boolean open = true;
    private final LoopRegistration registration = new LoopRegistration();
    private boolean readInterest;
    private boolean readPending;
    private boolean readTaskQueued;

    public UserspaceServerChannel(NetStack stack) {
        this.stack = Objects.requireNonNull(stack, "stack");
        this.config = new UserspaceServerChannelConfig(this);
    }

    public NetStack stack() {
        return stack;
    }

    @Override
    public UserspaceServerChannelConfig config() {
        return config;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public boolean isActive() {
        return open && listener != null;
    }

    @Override
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) super.localAddress();
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return null;
    }

    @Override
    protected SocketAddress localAddress0() {
        TcpListener l = listener;
        return l == null ? null : Inet4.socketAddress(stack.address(), l.port());
    }

    @Override
    protected boolean isCompatible(EventLoop loop) {
        return loop instanceof IoEventLoop l && l.isCompatible(Unsafe.class);
    }

    @Override
    protected void doRegister(ChannelPromise promise) {
        registration.register(eventLoop(), (Unsafe) unsafe(), promise);
    }

    @Override
    protected void doDeregister() {
        registration.cancel();
    }

    /** Port 0 picks a free port in the dynamic range (49152..65535). */
    @Override
    protected void doBind(SocketAddress local) throws Exception {
        InetSocketAddress a = Inet4.inet(local);
        int addr = Inet4.address(a);
        if (addr != 0 && addr != stack.address()) {
            throw new BindException("Cannot assign requested address: " + a);
        }
        int backlog = config.getBacklog();
        if (a.getPort() != 0) {
            try {
                listener = stack.listen(addr, a.getPort(), backlog, this::accepted);
            } catch (IllegalStateException inUse) {
                throw new BindException("Address already in use: " + a);
            }
            return;
        }
        int range = 65536 - DYNAMIC_PORT_FIRST;
        int start = ThreadLocalRandom.current().nextInt(range);
        for (int i = 0; i < range; i++) {
            try {
                listener = stack.listen(addr, DYNAMIC_PORT_FIRST + (start + i) % range, backlog, this::accepted);
                return;
            } catch (IllegalStateException inUse) {
                // try the next one
            }
        }
        throw new BindException("no free port to listen on");
    }

    /** A handshake completed: queue the new channel, hand it out now if a read is wanted. */
    private TcpHandler accepted(TcpConnection c) {
        if (!isActive() || acceptQueue.size() >= config.getBacklog()) {
            return null; // the stack resets it, as an overflowing accept queue would
        }
        UserspaceSocketChannel child = new UserspaceSocketChannel(this, stack, c);
        if (config.getReceiveBufferSize() > 0) {
            child.config().setReceiveBufferSize(config.getReceiveBufferSize());
        }
        acceptQueue.add(child);
        if (readInterest && isRegistered()) {
            scheduleRead();
        }
        return c.handler();
    }

    @Override
    protected void doBeginRead() {
        readPending = true;
        readInterest = true;
        if (!acceptQueue.isEmpty()) {
            scheduleRead();
        }
    }

    void autoReadCleared() {
        Runnable clear = () -> {
            readPending = false;
            readInterest = false;
        };
        if (!isRegistered() || eventLoop().inEventLoop()) {
            clear.run();
        } else {
            eventLoop().execute(clear);
        }
    }

    // Accepting from a task keeps the child's registration and first events out of the stack's input processing.
    private void scheduleRead() {
        if (!readTaskQueued) {
            readTaskQueued = true;
            eventLoop().execute(readTask);
        }
    }

    private void readScheduled() {
        readTaskQueued = false;
        if (!readInterest || !isActive()) {
            return;
        }
        ChannelPipeline pipeline = pipeline();
        RecvByteBufAllocator.Handle h = unsafe().recvBufAllocHandle();
        h.reset(config);
        try {
            do {
                UserspaceSocketChannel child = acceptQueue.poll();
                if (child == null) {
                    break;
                }
                TcpConnection c = child.connection();
                if (!child.isActive() || c.state() == TcpState.CLOSED) {
                    child.unsafe().closeForcibly(); // reset while it waited; nobody saw it
                    continue;
                }
                h.incMessagesRead(1);
                readPending = false;
                pipeline.fireChannelRead(child);
            } while (h.continueReading());
            h.readComplete();
            pipeline.fireChannelReadComplete();
        } catch (Throwable t) {
            pipeline.fireExceptionCaught(t);
        } finally {
            if (!readPending && !config.isAutoRead()) {
                readInterest = false;
            }
        }
    }

    @Override
    protected void doClose() {
        open = false;
        readInterest = false;
        TcpListener l = listener;
        if (l != null) {
            l.close();
        }
        UserspaceSocketChannel child;
        while ((child = acceptQueue.poll()) != null) {
            TcpConnection c = child.connection();
            c.setHandler(null);
            c.abort();
        }
    }

    @Override
    protected AbstractUnsafe newUnsafe() {
        return new Unsafe();
    }

    private final class Unsafe extends AbstractUnsafe implements PolledIoHandle {
        @Override
        public void connect(SocketAddress remote, SocketAddress local, ChannelPromise promise) {
            safeSetFailure(promise, new UnsupportedOperationException("a server channel does not connect"));
        }

        @Override
        public void handle(IoRegistration registration, IoEvent event) {
            // accepts arrive as stack callbacks
        }

        @Override
        public void close() {
            close(voidPromise());
        }
    }
}
