package yastack.kernel.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import java.io.IOException;
import yastack.stack.TcpConnection;

/**
 * The read side of a {@link UserspaceSocketChannel}. The stack buffers what arrives (closing the TCP
 * window when nobody reads); this moves it into pipeline buffers from the channel's
 * {@link RecvByteBufAllocator} only while reading is wanted (autoRead, or a pending {@code read()}),
 * and reports the peer's FIN or a failure only after the data that arrived before it.
 * Everything but {@link #isShutdown()} runs on the channel's loop.
 */
final class UserspaceSocketInput {
    private final UserspaceSocketChannel ch;
    private final Runnable readTask = this::readScheduled;
    private volatile boolean shutdown;
    private boolean endReported;
    /** Reading is wanted: the equivalent of EPOLLIN being armed. */
    private boolean readInterest;
    /** A read() that has not yet delivered anything. */
    private boolean readPending;
    private boolean readTaskQueued;
    /** The peer's FIN arrived while reading was paused: read on to the end regardless of autoRead. */
    private boolean drainToEnd;
    /** The connection failed (reset, timeout) and the failure was not reported yet. */
    private IOException failure;

    UserspaceSocketInput(UserspaceSocketChannel ch) {
        this.ch = ch;
    }

    boolean isShutdown() {
        return shutdown;
    }

    /** A read() from the pipeline (or autoRead): deliver what is buffered, then keep delivering. */
    void beginRead() {
        if (shutdown) {
            return;
        }
        readPending = true;
        readInterest = true;
        if (hasInput()) {
            scheduleRead();
        }
    }

    /** autoRead was switched off: stop delivering until the next read(). */
    void stopReading() {
        readPending = false;
        readInterest = false;
    }

    /** The channel closed: nothing is delivered any more. */
    void closed() {
        readInterest = false;
    }

    /** Stops delivering: data already buffered and arriving later is discarded (the peer is not told). */
    void shutdown() {
        shutdown = true;
        readInterest = false;
        discard();
    }

    /** The stack buffered more data. */
    void onReadable() {
        if (shutdown) {
            discard();
        } else if (readInterest && ch.isRegistered()) {
            readInput();
        }
    }

    /**
     * The peer's FIN arrived; it is reported once the data before it has been read. When reading
     * is paused, the data and the end are read all the same, as Netty's epoll and io_uring
     * transports do on EPOLLRDHUP/POLLRDHUP (armed whatever autoRead says): a proxy that stopped
     * reading a client because its upstream is slow learns at once that the client went away.
     */
    void onPeerClosed() {
        if (!ch.isRegistered() || shutdown) {
            return;
        }
        if (!readInterest) {
            drainToEnd = true;
        }
        readInput();
    }

    /** The connection failed; the error is reported after the data that arrived before it. */
    void failed(IOException e) {
        failure = e;
        if (!ch.isRegistered()) {
            return; // a later read reports it, if the channel is ever read
        }
        if (readInterest && ch.connection().readableBytes() > 0 && !shutdown) {
            readInput();
        } else {
            reportFailure();
        }
    }

    private boolean hasInput() {
        TcpConnection c = ch.connection();
        return c != null && (c.readableBytes() > 0 || failure != null || (c.peerClosed() && !endReported));
    }

    /** Reads from a task, never from inside a pipeline call (a read() in channelReadComplete must not recurse). */
    private void scheduleRead() {
        if (!readTaskQueued) {
            readTaskQueued = true;
            ch.eventLoop().execute(readTask);
        }
    }

    private void readScheduled() {
        readTaskQueued = false;
        if (ch.isRegistered() && readInterest && hasInput()) {
            readInput();
        }
    }

    /** Moves buffered input into the pipeline, as far as the allocator handle wants to go. */
    private void readInput() {
        TcpConnection c = ch.connection();
        ChannelConfig cfg = ch.config();
        ChannelPipeline pipeline = ch.pipeline();
        RecvByteBufAllocator.Handle h = ch.unsafe().recvBufAllocHandle();
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
            } while ((drainToEnd || h.continueReading()) && ch.isOpen());
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
        if (endReported) {
            return;
        }
        endReported = true;
        if (ch.config().isAllowHalfClosure()) {
            shutdown = true;
            readInterest = false;
            ch.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
            ch.pipeline().fireUserEventTriggered(ChannelInputShutdownReadComplete.INSTANCE);
        } else {
            close();
        }
    }

    private void reportFailure() {
        IOException e = failure;
        failure = null;
        ch.pipeline().fireExceptionCaught(e);
        close();
    }

    private void close() {
        Channel.Unsafe u = ch.unsafe();
        u.close(u.voidPromise());
    }

    private void discard() {
        TcpConnection c = ch.connection();
        if (c != null) {
            StackIo.discard(c);
        }
    }
}
