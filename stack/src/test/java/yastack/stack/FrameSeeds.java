package yastack.stack;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Writes the seed corpus of {@link FrameInputFuzzTest}: short conversations a peer really has with the
 * shard, in the test's record format. Run it after changing the format:
 * {@code java -cp stack/target/test-classes:stack/target/classes yastack.stack.FrameSeeds
 * stack/src/test/resources/yastack/stack/FrameInputFuzzTestInputs/framesNeverBreakTheShard}
 */
final class FrameSeeds {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final int stackTs = new FrameInputFuzzTest.Shard().stackTs;
    private int ts = FrameInputFuzzTest.PEER_TS + 1;

    private FrameSeeds record(int op, byte[] body) {
        out.write(op);
        out.write(body.length >>> 8);
        out.write(body.length);
        out.writeBytes(body);
        return this;
    }

    /** A segment on the connection: offsets from the live sequence numbers, timestamps as negotiated. */
    private FrameSeeds tcp(int seqOff, int ackOff, int flags, byte[] payload) {
        byte[] opts = Probe.tsOpts(++ts, stackTs);
        ByteBuffer b = ByteBuffer.allocate(20 + opts.length + payload.length);
        b.putShort((short) FrameInputFuzzTest.PEER_PORT).putShort((short) FrameInputFuzzTest.PORT);
        b.putInt(seqOff).putInt(ackOff).put((byte) (((20 + opts.length) / 4) << 4)).put((byte) flags).putShort((short) 512);
        b.putInt(0).put(opts).put(payload);
        return record(3, b.array());
    }

    private FrameSeeds wait(int ms) {
        return record(5, new byte[] {(byte) (ms >>> 8), (byte) ms});
    }

    /** An IPv4 datagram from the peer (checksums are repaired by the harness). */
    private FrameSeeds ip(int proto, int id, int fragField, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(20 + payload.length);
        b.put((byte) 0x45).put((byte) 0).putShort((short) (20 + payload.length)).putShort((short) id).putShort((short) fragField);
        b.put((byte) 64).put((byte) proto).putShort((short) 0).putInt(Probe.PEER).putInt(Probe.STACK).put(payload);
        return record(2, b.array());
    }

    private static byte[] echoRequest(int size) {
        byte[] icmp = new byte[8 + size];
        icmp[0] = 8;
        icmp[5] = 1;
        icmp[7] = 1;
        return icmp;
    }

    private static byte[] udp(int sport, int dport, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(8 + payload.length);
        b.putShort((short) sport).putShort((short) dport).putShort((short) (8 + payload.length)).putShort((short) 0).put(payload);
        return b.array();
    }

    private static byte[] arpBody(int op) {
        byte[] f = Probe.arp(op, Probe.PEER_MAC, Probe.PEER, op == 2 ? Probe.STACK_MAC : 0, Probe.STACK);
        return Arrays.copyOfRange(f, 14, 42);
    }

    private byte[] take() {
        byte[] r = out.toByteArray();
        out.reset();
        ts = FrameInputFuzzTest.PEER_TS + 1;
        return r;
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        Files.createDirectories(dir);
        FrameSeeds s = new FrameSeeds();
        byte[] hello = "GET / HTTP/1.1\r\n\r\n".getBytes();
        write(dir, "data-then-fin", s.tcp(0, 0, Pkt.ACK | Pkt.PSH, hello).wait(50)
                .tcp(hello.length, 0, Pkt.ACK | Pkt.FIN, new byte[0]).wait(300).take());
        write(dir, "out-of-order-then-fill", s.tcp(1000, 0, Pkt.ACK, new byte[500]).tcp(0, 0, Pkt.ACK, new byte[1000])
                .tcp(1500, 0, Pkt.ACK, new byte[10]).take());
        write(dir, "rst-exact", s.tcp(0, 0, Pkt.RST, new byte[0]).take());
        write(dir, "rst-in-window", s.tcp(100, 0, Pkt.RST, new byte[0]).tcp(0, 0, Pkt.ACK | Pkt.SYN, new byte[0]).take());
        write(dir, "old-and-future-acks", s.tcp(0, 9999, Pkt.ACK, new byte[3]).tcp(-20, -20, Pkt.ACK, new byte[10])
                .tcp(0, 0, Pkt.ACK, new byte[0]).take());
        write(dir, "zero-window-then-open", s.tcp(0, 0, Pkt.ACK, new byte[0]).wait(2000).take());
        write(dir, "ping", s.ip(1, 1, 0, echoRequest(56)).take());
        write(dir, "fragmented-ping", s.ip(1, 2, 0x2000, Arrays.copyOf(echoRequest(2000), 1480))
                .ip(1, 2, 1480 / 8, new byte[528]).take());
        write(dir, "udp-open-and-closed-port", s.ip(17, 3, 0, udp(5000, 53, "query".getBytes()))
                .ip(17, 4, 0, udp(5000, 54, "nobody".getBytes())).take());
        write(dir, "arp-request-and-reply", s.record(4, arpBody(1)).record(4, arpBody(2)).take());
        write(dir, "vlan-and-unknown", s.record(0, FrameInputFuzzTest.ethernet(Probe.STACK_MAC, new byte[] {(byte) 0x81, 0, 0, 1, 8, 0}))
                .record(1, new byte[] {(byte) 0x86, (byte) 0xdd, 0x60, 0, 0, 0}).take());
        write(dir, "unknown-protocol", s.ip(47, 5, 0, new byte[8]).take());
        write(dir, "keepalive-idle", s.wait(0xffff).record(13, new byte[] {0x10, 0}).take());
    }

    private static void write(Path dir, String name, byte[] seed) throws IOException {
        Files.write(dir.resolve(name), seed);
    }
}
