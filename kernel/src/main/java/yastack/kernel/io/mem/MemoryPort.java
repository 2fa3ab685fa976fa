package yastack.kernel.io.mem;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import yastack.kernel.io.BufferSlots;
import yastack.kernel.io.MacAddress;
import yastack.kernel.io.PacketPort;
import yastack.kernel.io.PortStats;
import yastack.kernel.io.QueueCounters;
import yastack.kernel.io.RxBatch;
import yastack.kernel.io.TxBatch;
import yastack.kernel.io.rss.FrameHasher;
import yastack.kernel.io.rss.RedirectionTable;
import yastack.kernel.io.rss.Toeplitz;

/** An endpoint of a {@link MemorySwitch}; see there for the delivery rules. */
public final class MemoryPort implements PacketPort {
    private final MemorySwitch sw;
    private final String name;
    private final MacAddress mac;
    private final long macBits;
    private final int mtu;
    private final int frameCapacity;
    private final Arena arena = Arena.ofShared();
    private final RxRing[] rings;
    private final QueueCounters[] counters;
    private final FrameHasher hasher;
    private final RedirectionTable reta;
    private volatile boolean closed;

    MemoryPort(MemorySwitch sw, String name, MacAddress mac, int queues, int mtu, int ringFrames, Toeplitz toeplitz) {
        if (queues < 1 || ringFrames < 1 || mtu < 68) {
            throw new IllegalArgumentException("need queues >= 1, ring >= 1, mtu >= 68");
        }
        this.sw = sw;
        this.name = name;
        this.mac = mac;
        this.macBits = mac.bits();
        this.mtu = mtu;
        this.frameCapacity = mtu + 18; // Ethernet header and one VLAN tag
        this.rings = new RxRing[queues];
        this.counters = new QueueCounters[queues];
        for (int q = 0; q < queues; q++) {
            rings[q] = new RxRing(arena.allocate((long) ringFrames * frameCapacity, 64), ringFrames);
            counters[q] = new QueueCounters();
        }
        this.hasher = new FrameHasher(toeplitz);
        this.reta = RedirectionTable.roundRobin(queues);
    }

    @Override public String name() { return name; }

    @Override public int queueCount() { return rings.length; }

    @Override public MacAddress mac() { return mac; }

    long macBits() { return macBits; }

    @Override public int mtu() { return mtu; }

    @Override public boolean linkUp() { return !closed; }

    /** The receive queue a frame lands on: symmetric Toeplitz over its flow, round-robin table. */
    public int queueOf(MemorySegment buf, long off, int len) {
        return rings.length == 1 ? 0 : reta.queueOf(hasher.hash(buf, off, len));
    }

    void deliver(MemorySegment buf, long off, int len) {
        if (closed) {
            return;
        }
        int q = queueOf(buf, off, len);
        RxRing ring = rings[q];
        if (len > frameCapacity) {
            counters[q].rxErrors(1);
            return;
        }
        synchronized (ring) {
            if (ring.tail - ring.head == ring.lengths.length) {
                counters[q].rxRingFull(1);
                return;
            }
            int idx = (int) (ring.tail % ring.lengths.length);
            MemorySegment.copy(buf, off, ring.region, (long) idx * frameCapacity, len);
            ring.lengths[idx] = len;
            ring.tail++;
        }
    }

    @Override
    public RxBatch newRxBatch() {
        return new MemoryRxBatch(this);
    }

    @Override
    public int receiveBurst(int queue, RxBatch batch) {
        if (!(batch instanceof MemoryRxBatch b) || batch.port() != this) {
            throw new IllegalArgumentException("batch belongs to " + batch.port().name() + ", not " + name);
        }
        b.release();
        RxRing ring = rings[queue];
        int n;
        long bytes = 0;
        synchronized (ring) {
            if (ring.outstanding) {
                throw new IllegalStateException("queue " + queue + " of " + name + " has an unreleased batch");
            }
            n = (int) Math.min(MAX_BURST, ring.tail - ring.head);
            int size = ring.lengths.length;
            for (int i = 0; i < n; i++) {
                int idx = (int) ((ring.head + i) % size);
                b.set(i, (long) idx * frameCapacity, ring.lengths[idx]);
                bytes += ring.lengths[idx];
            }
            ring.outstanding = n > 0;
        }
        b.filled(ring, queue, n);
        if (n > 0) {
            counters[queue].received(n, bytes);
        }
        return n;
    }

    @Override
    public TxBatch newTxBatch(int queue) {
        if (queue < 0 || queue >= rings.length) {
            throw new IndexOutOfBoundsException("queue " + queue);
        }
        return new MemoryTxBatch(queue);
    }

    @Override
    public PortStats stats() {
        return QueueCounters.sum(counters);
    }

    @Override
    public PortStats queueStats(int queue) {
        return counters[queue].snapshot();
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            sw.detach(this);
            arena.close();
        }
    }

    private static final class RxRing {
        final MemorySegment region;
        final int[] lengths;
        long head;
        long tail;
        boolean outstanding;

        RxRing(MemorySegment region, int frames) {
            this.region = region;
            this.lengths = new int[frames];
        }
    }

    private static final class MemoryRxBatch extends RxBatch {
        private RxRing ring;

        MemoryRxBatch(MemoryPort owner) {
            super(owner);
        }

        void set(int i, long off, int len) {
            offsets[i] = off;
            lengths[i] = len;
        }

        void filled(RxRing r, int q, int n) {
            ring = r;
            buffer = r.region;
            queue = q;
            count = n;
        }

        @Override
        protected void releaseFrames(int n) {
            synchronized (ring) {
                ring.head += n;
                ring.outstanding = false;
            }
        }
    }

    private final class MemoryTxBatch extends TxBatch {
        private final BufferSlots slots;

        MemoryTxBatch(int queue) {
            super(queue);
            int count = MAX_BURST + 1;
            this.buffer = arena.allocate(BufferSlots.regionSize(count, frameCapacity), 64);
            this.slots = new BufferSlots(count, frameCapacity);
        }

        @Override
        public int capacity() {
            return frameCapacity;
        }

        @Override
        protected long reserve(int slot) {
            long off = slots.take();
            if (off < 0) {
                counters[queue].txNoBuffer(1);
            }
            return off;
        }

        @Override
        protected void unreserve(int slot) {
            slots.give(offsets[slot]);
        }

        @Override
        protected void moveSlot(int from, int to) {
            // buffers are tracked by offset, which the base class already moved
        }

        @Override
        protected int transmit(int n) {
            long bytes = 0;
            for (int i = 0; i < n; i++) {
                if (!closed) {
                    sw.forward(MemoryPort.this, buffer, offsets[i], lengths[i]);
                }
                bytes += lengths[i];
                slots.give(offsets[i]);
            }
            counters[queue].transmitted(n, bytes);
            return n;
        }

        @Override
        protected void releaseAll() {
            // the region belongs to the port's arena and goes with it
        }
    }
}
