package yastack.kernel.transport;

import io.netty.channel.Channel;
import io.netty.channel.ChannelPromise;
import io.netty.channel.ConnectTimeoutException;
import io.netty.util.concurrent.Future;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.AlreadyConnectedException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ConnectionPendingException;
import java.util.concurrent.TimeUnit;
import yastack.stack.NetStack;
import yastack.stack.TcpConnection;
import yastack.stack.TcpError;
import yastack.stack.TcpHandler;

/**
 * The active open of a {@link UserspaceSocketChannel}: the bound local port, the choice of one when
 * none was bound, the stack connect, and the connect promise with its timeout until the handshake
 * completes or fails. Loop thread only.
 */
final class UserspaceSocketConnect {
    private final UserspaceSocketChannel ch;
    private final NetStack stack;
    private final LocalPortChooser portChooser;
    private int bindPort;
    private ChannelPromise promise;
    private Future<?> timeout;
    private InetSocketAddress requestedRemote;

    UserspaceSocketConnect(UserspaceSocketChannel ch, NetStack stack, LocalPortChooser portChooser) {
        this.ch = ch;
        this.stack = stack;
        this.portChooser = portChooser;
    }

    /** The port given to bind(), 0 when none was. */
    int boundPort() {
        return bindPort;
    }

    /** A connect is waiting for the handshake. */
    boolean pending() {
        return promise != null;
    }

    void bind(SocketAddress local) throws BindException {
        InetSocketAddress a = Inet4.inet(local);
        int addr = Inet4.address(a);
        if (addr != 0 && addr != stack.address()) {
            throw new BindException("Cannot assign requested address: " + a);
        }
        bindPort = a.getPort();
    }

    /** Sends the SYN; {@code p} completes when the handshake does. */
    TcpConnection open(SocketAddress remoteAddress, SocketAddress local, ChannelPromise p, TcpHandler events)
            throws BindException {
        if (promise != null) {
            throw new ConnectionPendingException();
        }
        if (ch.connection() != null) {
            throw new AlreadyConnectedException();
        }
        InetSocketAddress remote = Inet4.inet(remoteAddress);
        requestedRemote = remote;
        promise = p;
        if (local != null) {
            bind(local);
        }
        int raddr = Inet4.address(remote);
        int rport = remote.getPort();
        int lport = bindPort != 0 ? bindPort : portChooser.choose(stack, raddr, rport);
        if (lport <= 0) {
            throw new BindException("no free local port for " + remote);
        }
        try {
            return stack.connect(raddr, rport, lport, events);
        } catch (IllegalStateException inUse) {
            throw new BindException("Address already in use: " + inUse.getMessage());
        } catch (IllegalArgumentException notOwned) {
            throw new BindException(notOwned.getMessage());
        }
    }

    /** Fails the connect after {@code millis} (0 = never) unless the handshake ends first. */
    void armTimeout(int millis) {
        if (millis > 0 && promise != null) {
            InetSocketAddress r = requestedRemote;
            timeout = ch.eventLoop().schedule(() -> {
                if (promise != null) {
                    fail(new ConnectTimeoutException("connection timed out after " + millis + " ms: " + r));
                }
            }, millis, TimeUnit.MILLISECONDS);
        }
    }

    /** Opening threw: the caller fails the promise. */
    void abandon() {
        promise = null;
    }

    /** The handshake completed and the channel is active. */
    void completed() {
        ChannelPromise p = promise;
        promise = null;
        cancelTimeout();
        boolean promiseSet = p != null && p.trySuccess();
        ch.pipeline().fireChannelActive();
        if (!promiseSet) {
            close(); // the connect was cancelled meanwhile
        }
    }

    void fail(TcpError error) {
        fail(StackIo.connectFailure(error, requestedRemote));
    }

    /** Fails the connect and closes the channel. */
    private void fail(Throwable cause) {
        ChannelPromise p = promise;
        promise = null;
        cancelTimeout();
        if (p != null) {
            p.tryFailure(cause);
        }
        close();
    }

    /** The channel closed before the handshake ended. */
    void closed() {
        ChannelPromise p = promise;
        if (p != null) {
            promise = null;
            p.tryFailure(new ClosedChannelException());
        }
        cancelTimeout();
    }

    private void close() {
        Channel.Unsafe u = ch.unsafe();
        u.close(u.voidPromise());
    }

    private void cancelTimeout() {
        if (timeout != null) {
            timeout.cancel(false);
            timeout = null;
        }
    }
}
