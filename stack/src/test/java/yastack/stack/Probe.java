package yastack.stack;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** One stack under test plus a scripted peer that injects hand-made frames and reads what the stack sends. */
final class Probe {
    static final long MS = 1_000_000L;
    static final long PEER_MAC = 0x02_00_00_00_00_09L;
    static final long STACK_MAC = 0x02_00_00_00_00_02L;
    static final int PEER = Wire.parseIp("10.0.0.9");
    static final int STACK = Wire.parseIp("10.0.0.2");

    long now = 5_000_000_000L;
    final List<byte[]> out = new ArrayList<>();
    /** Times the stack told its sink to push frames to the device. */
    int flushes;
    final NetStack stack;
    private int read;

    Probe(Consumer<StackConfig> tune) {
        StackConfig c = new StackConfig().mac(STACK_MAC).address(STACK, 24).randomSeed(77).gratuitousArp(false);
        if (tune != null) {
            tune.accept(c);
        }
        byte[] buf = new byte[70000];
        MemorySegment seg = MemorySegment.ofArray(buf);
        stack = new NetStack(c, () -> now, new FrameSink() {
            @Override
            public MemorySegment acquire(int capacity) {
                return seg;
            }

            @Override
            public void send(MemorySegment b, int len) {
                out.add(b.asSlice(0, len).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
            }

            @Override
            public void flush() {
                flushes++;
            }
        });
        // teach the stack our MAC the RFC 826 way: an ARP request for its address
        inject(arp(1, PEER_MAC, PEER, 0, STACK));
        drain();
    }

    static byte[] arp(int op, long sha, int spa, long tha, int tpa) {
        byte[] f = new byte[60];
        ByteBuffer b = ByteBuffer.wrap(f);
        long dst = op == 1 ? 0xFFFF_FFFF_FFFFL : STACK_MAC;
        b.putShort(0, (short) (dst >>> 32)).putInt(2, (int) dst).putShort(6, (short) (sha >>> 32)).putInt(8, (int) sha);
        b.putShort(12, (short) 0x0806).putShort(14, (short) 1).putShort(16, (short) 0x0800).put(18, (byte) 6).put(19, (byte) 4);
        b.putShort(20, (short) op).putShort(22, (short) (sha >>> 32)).putInt(24, (int) sha).putInt(28, spa);
        b.putShort(32, (short) (tha >>> 32)).putInt(34, (int) tha).putInt(38, tpa);
        return f;
    }

    void inject(byte[] frame) {
        stack.input(MemorySegment.ofArray(frame), frame.length);
        stack.poll(now);
    }

    void advance(long nanos) {
        long end = now + nanos;
        while (true) {
            long d = stack.poll(now);
            if (d > end) {
                break;
            }
            now = Math.max(d, now + 1);
        }
        now = end;
        stack.poll(now);
    }

    /** Frames sent since the last call. */
    List<byte[]> drain() {
        List<byte[]> r = new ArrayList<>(out.subList(read, out.size()));
        read = out.size();
        return r;
    }

    List<Pkt> tcpOut() {
        return SimLink.tcp(drain());
    }

    Pkt lastTcp() {
        List<Pkt> p = tcpOut();
        return p.isEmpty() ? null : p.get(p.size() - 1);
    }

    byte[] tcp(int sport, int dport, int seq, int ack, int flags, int window, byte[] opts, byte[] payload) {
        return Pkt.tcpFrame(STACK_MAC, PEER_MAC, PEER, STACK, sport, dport, seq, ack, flags, window, opts, payload);
    }

    void sendTcp(int sport, int dport, int seq, int ack, int flags, int window, byte[] opts, byte[] payload) {
        inject(tcp(sport, dport, seq, ack, flags, window, opts, payload));
    }

    /** SYN options: MSS 1460, SACK permitted, timestamps (tsVal), NOP, window scale 7. */
    static byte[] synOpts(int tsVal) {
        ByteBuffer b = ByteBuffer.allocate(20);
        b.put((byte) 2).put((byte) 4).putShort((short) 1460);
        b.put((byte) 4).put((byte) 2);
        b.put((byte) 8).put((byte) 10).putInt(tsVal).putInt(0);
        b.put((byte) 1).put((byte) 3).put((byte) 3).put((byte) 7);
        return b.array();
    }

    static byte[] tsOpts(int tsVal, int tsEcr) {
        ByteBuffer b = ByteBuffer.allocate(12);
        b.put((byte) 1).put((byte) 1).put((byte) 8).put((byte) 10).putInt(tsVal).putInt(tsEcr);
        return b.array();
    }

    static int tsVal(Pkt p) {
        byte[] v = p.option(8);
        return v == null ? 0 : ByteBuffer.wrap(v).getInt(0);
    }

    static int tsEcr(Pkt p) {
        byte[] v = p.option(8);
        return v == null ? 0 : ByteBuffer.wrap(v).getInt(4);
    }
}
