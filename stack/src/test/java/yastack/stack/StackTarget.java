package yastack.stack;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Our stack as a {@link DiffTarget}: a {@link Probe} with its virtual clock, which moves on only when a step asks
 * to settle, so timers fire as they would in the (short) real time the kernel's run of the same row takes.
 */
final class StackTarget implements DiffTarget {
    /** Reassembly gives up after a second, as the kernel's namespace is told to ({@link LinuxTarget}). */
    final Probe probe = new Probe(c -> c.reassemblyTimeoutNanos(1_000_000_000L));
    private final Map<Integer, TcpConnection> accepted = new HashMap<>();

    @Override
    public String name() {
        return "yastack";
    }

    @Override
    public void listen(int port) {
        probe.stack.listen(port, 16, conn -> {
            accepted.put(port, conn);
            return new TcpHandler() {};
        });
    }

    @Override
    public List<Pkt> connect(int localPort, int remotePort) {
        TcpConnection c = probe.stack.connect(Probe.PEER, remotePort, localPort, new TcpHandler() {});
        accepted.put(localPort, c);
        return probe.tcpOut();
    }

    @Override
    public List<Pkt> send(byte[] frame, boolean settle) {
        probe.inject(frame);
        if (settle) {
            probe.advance(SETTLE_MS * Probe.MS);
        }
        return probe.tcpOut();
    }

    @Override
    public List<byte[]> sendFrame(byte[] frame) {
        probe.inject(frame);
        return probe.drain();
    }

    @Override
    public List<byte[]> idle(long ms) {
        probe.advance(ms * Probe.MS);
        return probe.drain();
    }

    @Override
    public List<Pkt> appWrite(int port, byte[] data) {
        ByteBuffer b = ByteBuffer.wrap(data);
        if (connection(port).write(b) != data.length) {
            throw new IllegalStateException("short write on port " + port);
        }
        return probe.tcpOut();
    }

    private TcpConnection connection(int port) {
        TcpConnection c = accepted.get(port);
        if (c == null) {
            throw new IllegalStateException("nothing accepted on port " + port);
        }
        return c;
    }

    @Override
    public List<Pkt> appClose(int port) {
        TcpConnection c = connection(port);
        ByteBuffer b = ByteBuffer.allocate(65536);
        while (c.read(b.clear()) > 0) {
            // the application reads what arrived, so closing sends a FIN rather than a RST
        }
        c.close();
        return new ArrayList<>(probe.tcpOut());
    }

    @Override
    public void close() {
    }
}
