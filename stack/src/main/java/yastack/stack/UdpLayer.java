package yastack.stack;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/** UDP (RFC 768) of one shard: the port table, datagram demultiplexing and datagram building. */
final class UdpLayer {
    private final NetStack stack;
    private final StackStats stats;
    private final UdpSocket[] sockets = new UdpSocket[65536];

    UdpLayer(NetStack stack) {
        this.stack = stack;
        this.stats = stack.stats;
    }

    /** Binds port (0 picks a free one from 49152 up). */
    UdpSocket open(int port, UdpSocket.Listener listener) {
        if (port == 0) {
            for (int p = 49152; p < 65536; p++) {
                if (sockets[p] == null) {
                    port = p;
                    break;
                }
            }
        }
        if (port <= 0 || port > 65535 || sockets[port] != null) {
            throw new IllegalStateException("UDP port unavailable: " + port);
        }
        UdpSocket s = new UdpSocket(stack, port, stack.cfg.tcpReceiveBuffer, listener);
        sockets[port] = s;
        return s;
    }

    void close(UdpSocket s) {
        if (sockets[s.port] == s) {
            sockets[s.port] = null;
        }
    }

    void input(MemorySegment b, long ipOff, long off, int len, int src, int dst, boolean bcast) {
        stats.inc(Stat.UDP_RX);
        if (len < 8) {
            stats.inc(Stat.UDP_DROP_TRUNCATED);
            return;
        }
        int ulen = Wire.u16(b, off + 4);
        if (ulen < 8 || ulen > len) {
            stats.inc(Stat.UDP_DROP_BAD_LENGTH);
            return;
        }
        if (Wire.u16(b, off + 6) != 0 && Wire.fold(Wire.sum(b, off, ulen, Wire.pseudo(src, dst, NetStack.PROTO_UDP, ulen))) != 0) {
            stats.inc(Stat.UDP_DROP_BAD_CHECKSUM);
            return;
        }
        int sport = Wire.u16(b, off);
        int dport = Wire.u16(b, off + 2);
        if (!stack.cfg.flowFilter.owns(NetStack.PROTO_UDP, src, sport, dst, dport)) {
            stats.inc(Stat.UDP_DROP_NOT_OWNED);
            return;
        }
        UdpSocket s = sockets[dport];
        if (s == null) {
            stats.inc(Stat.UDP_DROP_NO_SOCKET);
            if (!bcast) {
                stack.icmp.sendUnreachable(b, ipOff, (int) (off - ipOff) + ulen, src, 3);
            }
            return;
        }
        s.deliver(src, sport, b, off + 8, ulen - 8);
    }

    /** Builds and sends one datagram of data's remaining bytes; false when no frame could be had for it. */
    boolean send(int sport, int dst, int dport, ByteBuffer data) {
        int len = data.remaining();
        MemorySegment f = stack.ipOut.beginIp(dst, NetStack.PROTO_UDP, 8 + len);
        if (f == null) {
            return false;
        }
        long o = NetStack.L4_OFFSET;
        Wire.put16(f, o, sport);
        Wire.put16(f, o + 2, dport);
        Wire.put16(f, o + 4, 8 + len);
        Wire.put16(f, o + 6, 0);
        MemorySegment.copy(MemorySegment.ofBuffer(data), 0, f, o + 8, len);
        data.position(data.position() + len);
        int c = Wire.fold(Wire.sum(f, o, 8 + len, Wire.pseudo(stack.address, dst, NetStack.PROTO_UDP, 8 + len)));
        Wire.put16(f, o + 6, c == 0 ? 0xffff : c);
        stack.ipOut.endIp(f, NetStack.L4_OFFSET + 8 + len);
        stats.inc(Stat.UDP_TX);
        return true;
    }
}
