package yastack.kernel.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.AbstractChannel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelMetadata;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.NotYetConnectedException;
import java.util.Objects;
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
 * <p>Reads follow Netty's rules ({@link UserspaceSocketInput}); a client channel opens its
 * connection through {@link UserspaceSocketConnect}. Writes move as much as the connection's
 * send buffer takes; the rest waits in the {@link ChannelOutboundBuffer} (whose water marks
 * drive writability) until the stack reports space again.
 */
public final class UserspaceSocketChannel extends AbstractChannel implements SocketChannel {
    private static final ChannelMetadata METADATA = new ChannelMetadata(false, 16);

    private final NetStack stack;
    private final UserspaceSocketChannelConfig config;
    private final StackEvents events = new StackEvents();
    private final UserspaceSocketInput input = new UserspaceSocketInput(this);
    private final UserspaceSocketConnect connecting;
    private volatile TcpConnection conn;
    private volatile boolean open = true;
    private volatile boolean active;
    private volatile boolean outputShutdown;
    private final LoopRegistration registration = new LoopRegistration();

    /** A client channel on {@code stack}; connect picks the local port with {@link LocalPortChooser#EPHEMERAL}. */
    public UserspaceSocketChannel(NetStack stack) {
        this(stack, LocalPortChooser.EPHEMERAL);
    }

    /** A client channel on {@code stack} whose connect asks {@code portChooser} for the local port. */
    public UserspaceSocketChannel(NetStack stack, LocalPortChooser portChooser) {
        super(null);
        this.stack = Objects.requireNonNull(stack, "stack");
        this.connecting = new UserspaceSocketConnect(this, stack, Objects.requireNonNull(portChooser, "portChooser"));
        this.config = new UserspaceSocketChannelConfig(this);
    }

    /** An accepted connection, already established. */
    UserspaceSocketChannel(UserspaceServerChannel parent, NetStack stack, TcpConnection accepted) {
        super(parent);
        this.stack = stack;
        this.connecting = new UserspaceSocketConnect(this, stack, LocalPortChooser.EPHEMERAL);
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
        int bound = connecting.boundPort();
        return bound != 0 ? Inet4.socketAddress(stack.address(), bound) : null;
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
        connecting.bind(local);
    }

    @Override
    protected void doDisconnect() throws Exception {
        doClose();
    }

    @Override
    protected void doClose() throws Exception {
        open = false;
        active = false;
        input.closed();
        connecting.closed();
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
        return input.isShutdown();
    }

    @Override
    public boolean isOutputShutdown() {
        return outputShutdown;
    }

    @Override
    public boolean isShutdown() {
        return input.isShutdown() && outputShutdown || !isActive();
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
            input.shutdown();
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
        input.beginRead();
    }

    void autoReadCleared() {
        onLoop(input::stopReading);
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
                conn = connecting.open(remote, local, promise, events);
                config.applyTo(conn);
                connecting.armTimeout(config.getConnectTimeoutMillis());
            } catch (Throwable t) {
                connecting.abandon();
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
            if (connecting.pending() || (!active && open)) {
                active = true;
                connecting.completed();
            }
        }

        @Override
        public void onReadable(TcpConnection c) {
            input.onReadable();
        }

        @Override
        public void onPeerClosed(TcpConnection c) {
            input.onPeerClosed();
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
            if (connecting.pending()) {
                connecting.fail(error);
                return;
            }
            failed(StackIo.failure(error));
        }

        private void failed(IOException e) {
            if (!isRegistered()) {
                active = false; // still waiting in the accept queue: the listener drops it
            }
            input.failed(e);
        }
    }
}
