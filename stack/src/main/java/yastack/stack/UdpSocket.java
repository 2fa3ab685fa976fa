package yastack.stack;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/**
 * A datagram socket bound to one local port. Received datagrams are queued (bounded by the receive buffer, copied
 * once into a ring with a small record header) and read with {@link #receive}; {@link Listener} is told when data
 * is ready.
 */
public final class UdpSocket {
    /** Readiness callback. */
    @FunctionalInterface
    public interface Listener {
        void onReadable(UdpSocket socket);
    }

    private static final int RECORD_HEADER = 10;

    final NetStack stack;
    final int port;
    private final ByteRing queue;
    private final byte[] hdr = new byte[RECORD_HEADER];
    private final MemorySegment hdrSeg = MemorySegment.ofArray(hdr);
    private final ByteBuffer hdrBuf = ByteBuffer.wrap(hdr);
    private Listener listener;
    private int queued;
    private int lastAddress;
    private int lastPort;
    private boolean closed;

    UdpSocket(NetStack stack, int port, int receiveBuffer, Listener listener) {
        this.stack = stack;
        this.port = port;
        this.queue = new ByteRing(receiveBuffer);
        this.listener = listener;
    }

    public int localPort() {
        return port;
    }

    public void setListener(Listener l) {
        listener = l;
    }

    /** Datagrams waiting to be received. */
    public int queuedDatagrams() {
        return queued;
    }

    void deliver(int srcIp, int srcPort, MemorySegment b, long off, int len) {
        if (queue.free() < len + RECORD_HEADER) {
            stack.stats.inc(Stat.UDP_DROP_QUEUE_FULL);
            return;
        }
        Wire.put32(hdrSeg, 0, srcIp);
        Wire.put16(hdrSeg, 4, srcPort);
        Wire.put32(hdrSeg, 6, len);
        queue.writeAt(queue.size(), hdrSeg, 0, RECORD_HEADER);
        queue.writeAt(queue.size() + RECORD_HEADER, b, off, len);
        queue.commit(RECORD_HEADER + len);
        queued++;
        if (listener != null) {
            listener.onReadable(this);
        }
    }

    /**
     * Copies the next datagram into dst (truncating what does not fit, like recvfrom) and returns its full length,
     * or -1 when none is queued. The sender is then available from {@link #lastAddress()}/{@link #lastPort()}.
     */
    public int receive(ByteBuffer dst) {
        if (queued == 0) {
            return -1;
        }
        hdrBuf.clear();
        queue.read(hdrBuf);
        lastAddress = Wire.i32(hdrSeg, 0);
        lastPort = Wire.u16(hdrSeg, 4);
        int len = Wire.i32(hdrSeg, 6);
        int take = Math.min(len, dst.remaining());
        ByteBuffer lim = dst.duplicate();
        lim.limit(lim.position() + take);
        queue.read(lim);
        dst.position(dst.position() + take);
        queue.discard(len - take);
        queued--;
        return len;
    }

    public int lastAddress() {
        return lastAddress;
    }

    public int lastPort() {
        return lastPort;
    }

    /** Sends one datagram (fragmented when larger than the MTU). Returns false if it could not be queued. */
    public boolean send(int dstAddress, int dstPort, ByteBuffer data) {
        if (closed) {
            throw new IllegalStateException("socket closed");
        }
        return stack.udpSend(port, dstAddress, dstPort, data);
    }

    public void close() {
        if (!closed) {
            closed = true;
            stack.udp.close(this);
        }
    }
}
