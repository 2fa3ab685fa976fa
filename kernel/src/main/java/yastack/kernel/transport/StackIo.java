package yastack.kernel.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ConnectTimeoutException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.nio.ByteBuffer;
import yastack.stack.TcpConnection;
import yastack.stack.TcpError;
import yastack.stack.TcpState;

/** Moving bytes and failures between a stack connection and Netty's buffers and exceptions. */
final class StackIo {
    private StackIo() {
    }

    /** Reads into the writable part of buf; the count, 0 when nothing is buffered, -1 at the peer's FIN. */
    static int readInto(TcpConnection c, ByteBuf buf) {
        int writable = buf.writableBytes();
        ByteBuffer dst = buf.nioBufferCount() == 1
                ? buf.internalNioBuffer(buf.writerIndex(), writable)
                : buf.nioBuffer(buf.writerIndex(), writable);
        int n = c.read(dst);
        if (n > 0) {
            buf.writerIndex(buf.writerIndex() + n);
        }
        return n;
    }

    /** Reads and drops everything buffered (input shut down locally). */
    static void discard(TcpConnection c) {
        ByteBuffer sink = ByteBuffer.allocate(Math.min(65536, Math.max(1, c.readableBytes())));
        while (c.readableBytes() > 0) {
            sink.clear();
            c.read(sink);
        }
    }

    /**
     * Writes flushed messages into the connection's send buffer until it is full. A short write
     * leaves the rest in {@code in} and arms the stack's onWritable callback.
     */
    static void write(TcpConnection c, ChannelOutboundBuffer in) throws IOException {
        while (true) {
            Object msg = in.current();
            if (msg == null) {
                return;
            }
            ByteBuf buf = (ByteBuf) msg;
            if (buf.readableBytes() == 0) {
                in.remove();
                continue;
            }
            if (!acceptsData(c.state())) {
                throw new SocketException(c.state() == TcpState.CLOSED ? "Connection reset by peer" : "Broken pipe");
            }
            // at least one buffer even when the send buffer is full: the short write arms onWritable
            ByteBuffer[] bufs = in.nioBuffers(1024, Math.max(1, c.writableBytes()));
            int count = in.nioBufferCount();
            if (count == 0) {
                // a buffer nioBuffers() cannot gather (e.g. too many components): write it on its own
                ByteBuffer whole = buf.nioBuffer();
                int want = whole.remaining();
                int n = c.write(whole);
                in.removeBytes(n);
                if (n < want) {
                    return;
                }
                continue;
            }
            long written = 0;
            for (int i = 0; i < count; i++) {
                ByteBuffer b = bufs[i];
                int want = b.remaining();
                int n = c.write(b);
                written += n;
                if (n < want) {
                    in.removeBytes(written);
                    return;
                }
            }
            in.removeBytes(written);
        }
    }

    private static boolean acceptsData(TcpState s) {
        return s == TcpState.SYN_SENT || s == TcpState.SYN_RECEIVED || s == TcpState.ESTABLISHED || s == TcpState.CLOSE_WAIT;
    }

    /** A failed active open, as Netty's socket channels report it. */
    static IOException connectFailure(TcpError error, InetSocketAddress remote) {
        return switch (error) {
            case REFUSED -> new ConnectException("Connection refused: " + remote);
            case TIMED_OUT -> new ConnectTimeoutException("connection timed out: " + remote);
            case UNREACHABLE -> new NoRouteToHostException("No route to host: " + remote);
        };
    }

    /** A failure of an established connection. */
    static IOException failure(TcpError error) {
        return new IOException(switch (error) {
            case REFUSED -> "Connection refused";
            case TIMED_OUT -> "Connection timed out";
            case UNREACHABLE -> "No route to host";
        });
    }
}
