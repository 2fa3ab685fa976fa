package yastack.kernel.io.dpdk;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static yastack.kernel.io.dpdk.DpdkCalls.call;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Objects;
import java.util.Optional;
import yastack.kernel.io.MacAddress;
import yastack.kernel.io.PacketPort;
import yastack.kernel.io.PortStats;
import yastack.kernel.io.QueueCounters;
import yastack.kernel.io.RxBatch;
import yastack.kernel.io.TxBatch;
import yastack.kernel.io.rss.RedirectionTable;

/**
 * A started DPDK ethdev port. Each queue has its own mbuf pool, so a worker's receive and
 * transmit buffers never touch another worker's. Frames are read and written in place in mbuf
 * data: a batch's {@link RxBatch#buffer()} / {@link TxBatch#buffer()} spans the queue's pool
 * memory and offsets locate each frame. One downcall per burst (rx, tx, free, bulk alloc).
 *
 * <p>Close every batch before {@link #close()}: closing stops the device and frees the pools.
 */
public final class DpdkPort implements PacketPort {
    private final DpdkNative nat;
    private final DpdkNative.Layout lay;
    private final int portId;
    private final String name;
    private final String driver;
    private final int queues;
    private final MemorySegment[] pools;
    private final MemorySegment[] poolViews;
    private final long[] poolBases;
    private final int frameCapacity;
    private final MacAddress mac;
    private final QueueCounters[] counters;
    private final Arena arena = Arena.ofShared();
    private final String rssStatus;
    private final RedirectionTable reta;
    private final byte[] rssKey;
    private volatile boolean closed;

    DpdkPort(DpdkEal eal, DpdkNative nat, int portId, String name, DpdkPortConfig cfg) {
        this(nat, portId, name, DpdkPortSetup.run(eal, nat, portId, name, cfg));
    }

    private DpdkPort(DpdkNative nat, int portId, String name, DpdkPortSetup setup) {
        this.nat = nat;
        this.lay = nat.layout;
        this.portId = portId;
        this.name = name;
        this.driver = setup.driver;
        this.queues = setup.pools.length;
        this.pools = setup.pools;
        this.poolViews = setup.poolViews;
        this.poolBases = setup.poolBases;
        this.frameCapacity = setup.frameCapacity;
        this.mac = setup.mac;
        this.reta = setup.reta;
        this.rssStatus = setup.rssStatus;
        this.rssKey = setup.rssKey;
        this.counters = new QueueCounters[queues];
        for (int q = 0; q < queues; q++) {
            counters[q] = new QueueCounters();
        }
    }

    private void check(int rc, String what) {
        DpdkCalls.check(nat, rc, what, name, driver);
    }

    @Override public String name() { return name; }

    public int portId() { return portId; }

    public String driverName() { return driver; }

    @Override public int queueCount() { return queues; }

    @Override public MacAddress mac() { return mac; }

    /** What RSS does on this port and why, for logs and the admin API. */
    public String rssStatus() { return rssStatus; }

    /** The redirection table the port was programmed with, if RSS is on and the driver allowed it. */
    public Optional<RedirectionTable> redirectionTable() { return Optional.ofNullable(reta); }

    /** The RSS key in use, if RSS is on. */
    public Optional<byte[]> rssKey() { return Optional.ofNullable(rssKey).map(byte[]::clone); }

    @Override
    public int mtu() {
        return readMtu(nat, portId);
    }

    /** The device's MTU now, or 1500 when the driver cannot say. */
    static int readMtu(DpdkNative nat, int portId) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment m = a.allocate(JAVA_SHORT);
            int rc = call(() -> (int) nat.getMtu.invokeExact((short) portId, m));
            return rc < 0 ? 1500 : Short.toUnsignedInt(m.get(JAVA_SHORT, 0));
        }
    }

    @Override
    public boolean linkUp() {
        if (closed) {
            return false;
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment speed = a.allocate(JAVA_INT);
            return call(() -> (int) nat.ysLink.invokeExact(portId, speed)) == 1;
        }
    }

    @Override
    public RxBatch newRxBatch() {
        return new DpdkRxBatch(this, nat, arena);
    }

    @Override
    public int receiveBurst(int queue, RxBatch batch) {
        if (!(batch instanceof DpdkRxBatch b) || batch.port() != this) {
            throw new IllegalArgumentException("batch does not belong to " + name);
        }
        b.release();
        // DPDK does not check queue ids on the fast path: a bad one would crash the process
        Objects.checkIndex(queue, queues);
        ensureOpen();
        int n;
        try {
            n = (int) nat.ysRxBurst.invokeExact(portId, queue, b.mbufs, MAX_BURST, poolBases[queue], b.offs, b.lens, b.dropped);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        if (n == 0) {
            b.filled(queue, 0, poolViews[queue]);
            int d = b.dropped.get(JAVA_INT, 0);
            if (d > 0) {
                counters[queue].rxErrors(d);
            }
            return 0;
        }
        long bytes = 0;
        for (int i = 0; i < n; i++) {
            int len = b.lens.getAtIndex(JAVA_INT, i);
            b.set(i, b.offs.getAtIndex(JAVA_LONG, i), len);
            bytes += len;
        }
        b.filled(queue, n, poolViews[queue]);
        QueueCounters c = counters[queue];
        c.received(n, bytes);
        int d = b.dropped.get(JAVA_INT, 0);
        if (d > 0) {
            c.rxErrors(d);
        }
        return n;
    }

    @Override
    public TxBatch newTxBatch(int queue) {
        if (queue < 0 || queue >= queues) {
            throw new IndexOutOfBoundsException("queue " + queue);
        }
        return new DpdkTxBatch(this, nat, arena, queue, pools[queue], poolBases[queue], poolViews[queue], frameCapacity,
                counters[queue]);
    }

    /** The driver's counters, unmerged. */
    public DpdkDeviceStats deviceStats() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(lay.statsSize, 8);
            check(call(() -> (int) nat.statsGet.invokeExact((short) portId, s)), "rte_eth_stats_get");
            return new DpdkDeviceStats(s.get(JAVA_LONG, lay.statsIpackets), s.get(JAVA_LONG, lay.statsOpackets),
                    s.get(JAVA_LONG, lay.statsIbytes), s.get(JAVA_LONG, lay.statsObytes),
                    s.get(JAVA_LONG, lay.statsImissed), s.get(JAVA_LONG, lay.statsIerrors),
                    s.get(JAVA_LONG, lay.statsOerrors), s.get(JAVA_LONG, lay.statsRxNombuf));
        }
    }

    /**
     * What crossed the API (queue counters), plus the device's drops: frames it missed for
     * lack of descriptors ({@code imissed}, ring full) or of mbufs ({@code rx_nombuf}), and its errors.
     */
    @Override
    public PortStats stats() {
        PortStats s = QueueCounters.sum(counters);
        if (closed) {
            return s;
        }
        DpdkDeviceStats d = deviceStats();
        return s.plus(new PortStats(0, 0, 0, 0, d.rxNoMbuf(), d.imissed(), d.ierrors(), 0, 0, d.oerrors()));
    }

    void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("port " + name + " is closed");
        }
    }

    /** Once closed, the pools are freed: batches must not hand mbufs back. */
    boolean isClosed() {
        return closed;
    }

    @Override
    public PortStats queueStats(int queue) {
        return counters[queue].snapshot();
    }

    /**
     * Stops the device (it keeps its configuration and pools): bursts then return nothing
     * until {@link #start()}. Workers should stop polling first.
     */
    public synchronized void stop() {
        ensureOpen();
        check(call(() -> (int) nat.devStop.invokeExact((short) portId)), "rte_eth_dev_stop");
    }

    /** Starts the device again after {@link #stop()}. */
    public synchronized void start() {
        ensureOpen();
        check(call(() -> (int) nat.devStart.invokeExact((short) portId)), "rte_eth_dev_start");
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        short pid = (short) portId;
        call(() -> (int) nat.devStop.invokeExact(pid));
        call(() -> (int) nat.devClose.invokeExact(pid));
        DpdkPortSetup.freePools(nat, pools);
        arena.close();
    }
}
