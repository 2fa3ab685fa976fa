package yastack.stack;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;

/**
 * Deterministic in-memory Ethernet segment between two stacks on a virtual clock, with seeded delay, loss,
 * duplication, reordering and corruption. Also lets tests inject hand-made frames and watch what is sent.
 */
final class SimLink {
    static final long MS = 1_000_000L;

    final class Clk implements Clock {
        @Override
        public long nanoTime() {
            return now;
        }
    }

    private record Frame(byte[] data, int side, long at, long order) {}

    /** Impairments applied to frames in one direction. */
    static final class Impair {
        double loss, dup, reorder, corrupt;
        long delay = MS;
        long reorderExtra = 3 * MS;
    }

    final class Sink implements FrameSink {
        final int side; // 0 = sent by A, 1 = sent by B
        final byte[] buf = new byte[16384];
        final MemorySegment seg = MemorySegment.ofArray(buf);

        Sink(int side) {
            this.side = side;
        }

        @Override
        public MemorySegment acquire(int capacity) {
            return seg;
        }

        @Override
        public void send(MemorySegment buffer, int length) {
            byte[] d = new byte[length];
            MemorySegment.copy(buffer, 0, MemorySegment.ofArray(d), 0, length);
            transmitted(side, d);
        }

        @Override
        public void flush() {
        }
    }

    long now = 1_000_000_000L;
    final Clk clock = new Clk();
    final SplittableRandom rnd;
    final Impair aToB = new Impair();
    final Impair bToA = new Impair();
    private final PriorityQueue<Frame> queue = new PriorityQueue<>((x, y) -> x.at != y.at ? Long.compare(x.at, y.at) : Long.compare(x.order, y.order));
    private long order;
    final NetStack a;
    final NetStack b;
    /** Every frame each side put on the wire (for assertions), when capture is on. */
    final List<byte[]> sentByA = new ArrayList<>();
    final List<byte[]> sentByB = new ArrayList<>();
    boolean capture = true;
    /** When set, frames from A are dropped if this returns true (scripted loss). */
    java.util.function.Predicate<byte[]> dropFromA;
    java.util.function.Predicate<byte[]> dropFromB;

    static final int IP_A = Wire.parseIp("10.0.0.1");
    static final int IP_B = Wire.parseIp("10.0.0.2");

    SimLink(long seed, java.util.function.Consumer<StackConfig> tuneA, java.util.function.Consumer<StackConfig> tuneB) {
        rnd = new SplittableRandom(seed);
        StackConfig ca = new StackConfig().mac("02:00:00:00:00:01").address(IP_A, 24).randomSeed(seed * 31 + 1);
        StackConfig cb = new StackConfig().mac("02:00:00:00:00:02").address(IP_B, 24).randomSeed(seed * 31 + 2);
        if (tuneA != null) {
            tuneA.accept(ca);
        }
        if (tuneB != null) {
            tuneB.accept(cb);
        }
        a = new NetStack(ca, clock, new Sink(0));
        b = new NetStack(cb, clock, new Sink(1));
    }

    SimLink(long seed) {
        this(seed, null, null);
    }

    private void transmitted(int side, byte[] d) {
        if (capture) {
            (side == 0 ? sentByA : sentByB).add(d);
        }
        if (side == 0 && dropFromA != null && dropFromA.test(d)) {
            return;
        }
        if (side == 1 && dropFromB != null && dropFromB.test(d)) {
            return;
        }
        Impair im = side == 0 ? aToB : bToA;
        if (im.loss > 0 && rnd.nextDouble() < im.loss) {
            return;
        }
        int copies = (im.dup > 0 && rnd.nextDouble() < im.dup) ? 2 : 1;
        for (int i = 0; i < copies; i++) {
            byte[] f = i == 0 ? d : d.clone();
            if (im.corrupt > 0 && rnd.nextDouble() < im.corrupt) {
                f = f.clone();
                int pos = 14 + rnd.nextInt(Math.max(1, f.length - 14));
                f[pos] ^= (byte) (1 << rnd.nextInt(8));
            }
            long at = now + im.delay;
            if (im.reorder > 0 && rnd.nextDouble() < im.reorder) {
                at += 1 + rnd.nextLong(im.reorderExtra);
            }
            queue.add(new Frame(f, side, at, order++));
        }
    }

    /** Delivers a hand-made frame to a stack now. */
    void inject(NetStack to, byte[] frame) {
        to.input(MemorySegment.ofArray(frame), frame.length);
        to.poll(now);
    }

    /** Runs until cond holds or the virtual time budget runs out; returns cond's final value. */
    boolean runUntil(BooleanSupplier cond, long budgetNanos) {
        long end = now + budgetNanos;
        a.poll(now);
        b.poll(now);
        for (int iter = 0; iter < 50_000_000; iter++) {
            if (cond.getAsBoolean()) {
                return true;
            }
            while (!queue.isEmpty() && queue.peek().at <= now) {
                Frame f = queue.poll();
                NetStack to = f.side == 0 ? b : a;
                to.input(MemorySegment.ofArray(f.data), f.data.length);
            }
            long da = a.poll(now);
            long db = b.poll(now);
            if (cond.getAsBoolean()) {
                return true;
            }
            long next = Math.min(da, db);
            if (!queue.isEmpty()) {
                next = Math.min(next, queue.peek().at);
            }
            if (next <= now) {
                next = now + 1;
            }
            if (next > end) {
                now = end;
                a.poll(now);
                b.poll(now);
                return cond.getAsBoolean();
            }
            now = next;
        }
        return cond.getAsBoolean();
    }

    void run(long nanos) {
        runUntil(() -> false, nanos);
    }

    /** Frames from a side that carry TCP (parsed with a test-side decoder). */
    static List<Pkt> tcp(List<byte[]> frames) {
        List<Pkt> r = new ArrayList<>();
        for (byte[] f : frames) {
            Pkt p = Pkt.parse(f);
            if (p != null) {
                r.add(p);
            }
        }
        return r;
    }
}
