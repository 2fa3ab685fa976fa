package yastack.kernel.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.AbstractChannel;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelMetadata;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.AlreadyConnectedException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ConnectionPendingException;
import java.nio.channels.NotYetConnectedException;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import yastack.kernel.loop.PolledIoHandle;
import yastack.stack.NetStack;
import yastack.stack.TcpConnection;
import yastack.stack.TcpError;
import yastack.stack.TcpHandler;

/**
 * A Netty {@link SocketChannel} over one TCP connection of the userspace stack. It must be
 * registered on the worker loop whose poller drives {@code stack}: the stack's callbacks then
 * arrive on that loop's thread and go straight into the pipeline.
 *
 * <p>Reads follow Netty's rules: the stack buffers received data (closing the TCP window when
 * nobody reads) and the channel moves it into pipeline buffers from its
 * {@link RecvByteBufAllocator} only while reading is wanted (autoRead, or a pending
 * {@code read()}). Writes move as much as the connection's send buffer takes; the rest waits
 * in the {@link ChannelOutboundBuffer} (whose water marks drive writability) until the stack
 * reports space again.
 */
public final class UserspaceSocketChannel extends AbstractChannel implements SocketChannel {
    private static final ChannelMetadata METADATA = new ChannelMetadata(false, 16);

    private final NetStack stack;
    private final LocalPortChooser portChooser;
    private final UserspaceSocketChannelConfig config;
    private final StackEvents events = new StackEvents();
    private final Runnable readTask = this::readScheduled;
    private volatile TcpConnection conn;
    private volatile boolean open = true;
    private volatile boolean active;
    private volatile boolean inputShutdown;
    private volatile boolean outputShutdown;
    private boolean inputEndReported;
    private final LoopRegistration registration = new LoopRegistration();
    /** Reading is wanted: the equivalent of EPOLLIN being armed. */
    private boolean readInterest;
    /** A read() that has not yet delivered anything. */
    private boolean readPending;
    private boolean readTaskQueued;
    /** The connection failed (reset, timeout) and the failure was not reported yet. */
    private IOException failure;
    private int bindPort;
    private ChannelPromise connectPromise;
    private Future<?> connectTimeout;
    private InetSocketAddress requestedRemote;

    /** A client channel on {@code stack}; connect picks the local port with {@link LocalPortChooser#EPHEMERAL}. */
    public UserspaceSocketChannel(NetStack stack) {
        this(stack, LocalPortChooser.EPHEMERAL);
    }

    /** A client channel on {@code stack} whose connect asks {@code portChooser} for the local port. */
    public UserspaceSocketChannel(NetStack stack, LocalPortChooser portChooser) {
        super(null);
        this.stack = Objects.requireNonNull(stack, "stack");
        this.portChooser = Objects.requireNonNull(portChooser, "portChooser");
        this.config = new UserspaceSocketChannelConfig(this);
    }

    /** An accepted connection, already established. */
    UserspaceSocketChannel(UserspaceServerChannel parent, NetStack stack, TcpConnection accepted) {
        super(parent);
        this.stack = stack;
        this.portChooser = LocalPortChooser.EPHEMERAL;
        this.config = new UserspaceSocketChannelConfig(this);
        this.conn = accepted;
        this.active = true;
        accepted.setHandler(events);
        config.applyTo(accepted);
    }

    /** The stack connection, or null before connect. */
    TcpConnection connection() {
        return conn;
    }

    /** The shard this channel lives on. */
    public NetStack stack() {
        return stack;
    }

    @Override
    public ServerSocketChannel parent() {
        return (ServerSocketChannel) super.parent();
    }

    @Override
    public UserspaceSocketChannelConfig config() {
        return config;
    }

    @Override
    public ChannelMetadata metadata() {
        return METADATA;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public boolean isActive() {
        return open && active;
    }

    @Override
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) super.localAddress();
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return (InetSocketAddress) super.remoteAddress();
    }

    @Override
    protected SocketAddress localAddress0() {
        TcpConnection c = conn;
        if (c != null) {
            return Inet4.socketAddress(c.localAddress(), c.localPort());
        }
        return bindPort != 0 ? Inet4.socketAddress(stack.address(), bindPort) : null;
    }

    @Override
    protected SocketAddress remoteAddress0() {
        TcpConnection c = conn;
        return c == null ? null : Inet4.socketAddress(c.remoteAddress(), c.remotePort());
    }

    // ---------------------------------------------------------------- registration

    @Override
    protected boolean isCompatible(EventLoop loop) {
        return loop instanceof IoEventLoop l && l.isCompatible(Unsafe.class);
    }

    @Override
    protected void doRegister(ChannelPromise promise) {
        if (parent() != null && eventLoop() != parent().eventLoop()) {
            // the connection lives in the listener's shard, which only the listener's loop drives
            promise.setFailure(new IllegalStateException(
                    "an accepted userspace channel must be registered on its listener's event loop"));
            return;
        }
        registration.register(eventLoop(), (Unsafe) unsafe(), promise);
    }

    @Override
    protected void doDeregister() {
        registration.cancel();
    }

    /** Runs {@code task} on this channel's loop (at once when already there or not yet registered). */
    void onLoop(Runnable task) {
        if (!isRegistered() || eventLoop().inEventLoop()) {
            task.run();
        } else {
            eventLoop().execute(task);
        }
    }

    // ---------------------------------------------------------------- connect, bind, close

    @Override
    protected void doBind(SocketAddress local) throws Exception {
        InetSocketAddress a = Inet4.inet(local);
        int addr = Inet4.address(a);
        if (addr != 0 && addr != stack.address()) {
            throw new BindException("Cannot assign requested address: " + a);
        }
        bindPort = a.getPort();
    }

    private void doConnect(InetSocketAddress remote, SocketAddress local) throws Exception {
        if (local != null) {
            doBind(local);
        }
        int raddr = Inet4.address(remote);
        int rport = remote.getPort();
        int lport = bindPort != 0 ? bindPort : portChooser.choose(stack, raddr, rport);
        if (lport <= 0) {
            throw new BindException("no free local port for " + remote);
        }
        try {
            conn = stack.connect(raddr, rport, lport, events);
        } catch (IllegalStateException inUse) {
            throw new BindException("Address already in use: " + inUse.getMessage());
        } catch (IllegalArgumentException notOwned) {
            throw new BindException(notOwned.getMessage());
        }
        config.applyTo(conn);
    }

    private void finishConnect() {
        ChannelPromise p = connectPromise;
        connectPromise = null;
        cancelConnectTimeout();
        active = true;
        boolean promiseSet = p != null && p.trySuccess();
        pipeline().fireChannelActive();
        if (!promiseSet) {
            unsafe().close(unsafe().voidPromise()); // the connect was cancelled meanwhile
        }
    }

    private void failConnect(Throwable cause) {
        ChannelPromise p = connectPromise;
        connectPromise = null;
        cancelConnectTimeout();
        if (p != null) {
            p.tryFailure(cause);
        }
        unsafe().close(unsafe().voidPromise());
    }

    private void cancelConnectTimeout() {
        if (connectTimeout != null) {
            connectTimeout.cancel(false);
            connectTimeout = null;
        }
    }

    @Override
    protected void doDisconnect() throws Exception {
        doClose();
    }

    @Override
    protected void doClose() throws Exception {
        open = false;
        active = false;
        readInterest = false;
        ChannelPromise p = connectPromise;
        if (p != null) {
            connectPromise = null;
            p.tryFailure(new ClosedChannelException());
        }
        cancelConnectTimeout();
        TcpConnection c = conn;
        if (c != null) {
            c.setHandler(null);
            if (config.getSoLinger() == 0) {
                c.abort();
            } else {
                c.close(); // FIN after the buffered data, or RST when received data was left unread (as Linux)
            }
        }
    }

    // ---------------------------------------------------------------- half-close

    @Override
    public boolean isInputShutdown() {
        return inputShutdown;
    }

    @Override
    public boolean isOutputShutdown() {
        return outputShutdown;
    }

    @Override
    public boolean isShutdown() {
        return inputShutdown && outputShutdown || !isActive();
    }

    @Override
    public ChannelFuture shutdownOutput() {
        return shutdownOutput(newPromise());
    }

    @Override
    public ChannelFuture shutdownOutput(ChannelPromise promise) {
        onLoopOrLater(() -> ((AbstractUnsafe) unsafe()).shutdownOutput(promise));
        return promise;
    }

    @Override
    protected void doShutdownOutput() {
        outputShutdown = true;
        TcpConnection c = conn;
        if (c != null) {
            c.shutdownOutput();
        }
    }

    @Override
    public ChannelFuture shutdownInput() {
        return shutdownInput(newPromise());
    }

    /** Stops delivering input: data already buffered and arriving later is discarded (the peer is not told). */
    @Override
    public ChannelFuture shutdownInput(ChannelPromise promise) {
        onLoopOrLater(() -> {
            inputShutdown = true;
            readInterest = false;
            discardInput();
            promise.trySuccess();
        });
        return promise;
    }

    @Override
    public ChannelFuture shutdown() {
        return shutdown(newPromise());
    }

    @Override
    public ChannelFuture shutdown(ChannelPromise promise) {
        ChannelFuture out = shutdownOutput();
        out.addListener((ChannelFutureListener) f -> {
            Throwable outCause = f.cause();
            shutdownInput().addListener((ChannelFutureListener) in -> {
                Throwable cause = outCause != null ? outCause : in.cause();
                if (cause != null) {
                    promise.tryFailure(cause);
                } else {
                    promise.trySuccess();
                }
            });
        });
        return promise;
    }

    private void onLoopOrLater(Runnable task) {
        EventLoop loop = eventLoop();
        if (loop.inEventLoop()) {
            task.run();
        } else {
            loop.execute(task);
        }
    }

    // ---------------------------------------------------------------- reading

    @Override
    protected void doBeginRead() {
        if (inputShutdown) {
            return;
        }
        readPending = true;
        readInterest = true;
        if (hasInput()) {
            scheduleRead();
        }
    }

    void autoReadCleared() {
        onLoop(() -> {
            readPending = false;
            readInterest = false;
        });
    }

    private boolean hasInput() {
        TcpConnection c = conn;
        return c != null && (c.readableBytes() > 0 || failure != null || (c.peerClosed() && !inputEndReported));
    }

    /** Reads from a task, never from inside a pipeline call (a read() in channelReadComplete must not recurse). */
    private void scheduleRead() {
        if (!readTaskQueued) {
            readTaskQueued = true;
            eventLoop().execute(readTask);
        }
    }

    private void readScheduled() {
        readTaskQueued = false;
        if (isRegistered() && readInterest && hasInput()) {
            readInput();
        }
    }

    /** Moves buffered input into the pipeline, as far as the allocator handle wants to go. */
    private void readInput() {
        TcpConnection c = conn;
        ChannelConfig cfg = config;
        ChannelPipeline pipeline = pipeline();
        RecvByteBufAllocator.Handle h = unsafe().recvBufAllocHandle();
        h.reset(cfg);
        boolean eof = false;
        ByteBuf buf = null;
        try {
            do {
                buf = h.allocate(cfg.getAllocator());
                h.attemptedBytesRead(buf.writableBytes());
                int n = StackIo.readInto(c, buf);
                if (n <= 0) {
                    buf.release();
                    buf = null;
                    eof = n < 0;
                    h.lastBytesRead(n < 0 ? -1 : 0);
                    break;
                }
                h.lastBytesRead(n);
                h.incMessagesRead(1);
                readPending = false;
                ByteBuf delivered = buf;
                buf = null;
                pipeline.fireChannelRead(delivered);
            } while (h.continueReading() && open);
            h.readComplete();
            pipeline.fireChannelReadComplete();
            if (failure != null && c.readableBytes() == 0) {
                reportFailure();
            } else if (eof) {
                inputEnded();
            }
        } catch (Throwable t) {
            if (buf != null) {
                buf.release();
            }
            pipeline.fireChannelReadComplete();
            pipeline.fireExceptionCaught(t);
        } finally {
            if (!readPending && !cfg.isAutoRead()) {
                readInterest = false;
            }
        }
    }

    /** The peer's FIN has been read: half-close or close, as ALLOW_HALF_CLOSURE says. */
    private void inputEnded() {
        if (inputEndReported) {
            return;
        }
        inputEndReported = true;
        if (config.isAllowHalfClosure()) {
            inputShutdown = true;
            readInterest = false;
            pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
            pipeline().fireUserEventTriggered(ChannelInputShutdownReadComplete.INSTANCE);
        } else {
            unsafe().close(unsafe().voidPromise());
        }
    }

    private void reportFailure() {
        IOException e = failure;
        failure = null;
        pipeline().fireExceptionCaught(e);
        unsafe().close(unsafe().voidPromise());
    }

    private void discardInput() {
        TcpConnection c = conn;
        if (c != null) {
            StackIo.discard(c);
        }
    }

    // ---------------------------------------------------------------- writing

    @Override
    protected Object filterOutboundMessage(Object msg) {
        if (msg instanceof ByteBuf) {
            return msg;
        }
        throw new UnsupportedOperationException("unsupported message type: " + msg.getClass().getName()
                + " (expected ByteBuf)");
    }

    @Override
    protected void doWrite(ChannelOutboundBuffer in) throws Exception {
        TcpConnection c = conn;
        if (c == null) {
            throw new NotYetConnectedException();
        }
        StackIo.write(c, in); // what the send buffer cannot take waits for onWritable
    }

    // ---------------------------------------------------------------- unsafe and stack events

    @Override
    protected AbstractUnsafe newUnsafe() {
        return new Unsafe();
    }

    /** The channel's unsafe doubles as its I/O handle on the worker loop, as Netty's epoll channels do. */
    private final class Unsafe extends AbstractUnsafe implements PolledIoHandle {
        @Override
        public void connect(SocketAddress remote, SocketAddress local, ChannelPromise promise) {
            if (!promise.setUncancellable() || !ensureOpen(promise)) {
                return;
            }
            try {
                if (connectPromise != null) {
                    throw new ConnectionPendingException();
                }
                if (conn != null) {
                    throw new AlreadyConnectedException();
                }
                InetSocketAddress r = Inet4.inet(remote);
                requestedRemote = r;
                connectPromise = promise;
                doConnect(r, local);
                int timeout = config.getConnectTimeoutMillis();
                if (timeout > 0 && connectPromise != null) {
                    connectTimeout = eventLoop().schedule(() -> {
                        if (connectPromise != null) {
                            failConnect(new ConnectTimeoutException("connection timed out after " + timeout + " ms: " + r));
                        }
                    }, timeout, TimeUnit.MILLISECONDS);
                }
            } catch (Throwable t) {
                connectPromise = null;
                promise.tryFailure(annotateConnectException(t, remote));
                closeIfClosed();
            }
        }

        void flushNow() {
            flush0();
        }

        @Override
        public void handle(IoRegistration registration, IoEvent event) {
            // readiness arrives as stack callbacks, never as Netty I/O events
        }

        @Override
        public void close() {
            close(voidPromise());
        }
    }

    /** Stack callbacks; all on the loop thread, from inside the poller's receive or timer processing. */
    private final class StackEvents implements TcpHandler {
        @Override
        public void onConnected(TcpConnection c) {
            if (connectPromise != null || (!active && open)) {
                finishConnect();
            }
        }

        @Override
        public void onReadable(TcpConnection c) {
            if (inputShutdown) {
                discardInput();
            } else if (readInterest && isRegistered()) {
                readInput();
            }
        }

        @Override
        public void onPeerClosed(TcpConnection c) {
            if (readInterest && isRegistered() && !inputShutdown) {
                readInput();
            }
        }

        @Override
        public void onWritable(TcpConnection c) {
            if (isRegistered()) {
                ((Unsafe) unsafe()).flushNow();
            }
        }

        @Override
        public void onReset(TcpConnection c) {
            failed(new IOException("Connection reset by peer"));
        }

        @Override
        public void onError(TcpConnection c, TcpError error) {
            if (connectPromise != null) {
                failConnect(StackIo.connectFailure(error, requestedRemote));
                return;
            }
            failed(StackIo.failure(error));
        }

        private void failed(IOException e) {
            failure = e;
            if (!isRegistered()) {
                active = false; // still waiting in the accept queue: the listener drops it
                return;
            }
            if (readInterest && c().readableBytes() > 0 && !inputShutdown) {
                readInput(); // deliver what arrived before the reset, then the error
            } else {
                reportFailure();
            }
        }

        private TcpConnection c() {
            return conn;
        }
    }
}
