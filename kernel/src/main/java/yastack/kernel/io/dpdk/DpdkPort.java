package yastack.kernel.io.dpdk;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Optional;
import yastack.kernel.io.MacAddress;
import yastack.kernel.io.PacketIoException;
import yastack.kernel.io.PacketPort;
import yastack.kernel.io.PortStats;
import yastack.kernel.io.QueueCounters;
import yastack.kernel.io.RxBatch;
import yastack.kernel.io.TxBatch;
import yastack.kernel.io.rss.RedirectionTable;
import yastack.kernel.io.rss.Toeplitz;

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
        this.nat = nat;
        this.lay = nat.layout;
        this.portId = portId;
        this.name = name;
        this.queues = cfg.queues();
        this.pools = new MemorySegment[queues];
        this.poolViews = new MemorySegment[queues];
        this.poolBases = new long[queues];
        this.counters = new QueueCounters[queues];
        for (int q = 0; q < queues; q++) {
            counters[q] = new QueueCounters();
        }
        short pid = (short) portId;
        boolean started = false;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment info = a.allocate(lay.infoSize, 8);
            check(call(() -> (int) nat.infoGet.invokeExact(pid, info)), "rte_eth_dev_info_get");
            MemorySegment drv = info.get(ADDRESS, lay.infoDriverName);
            this.driver = drv.equals(MemorySegment.NULL) ? "?" : drv.reinterpret(128).getString(0);
            int maxRx = Short.toUnsignedInt(info.get(JAVA_SHORT, lay.infoMaxRxQueues));
            int maxTx = Short.toUnsignedInt(info.get(JAVA_SHORT, lay.infoMaxTxQueues));
            if (queues > maxRx || queues > maxTx) {
                throw new PacketIoException(name + " (" + driver + ") supports " + maxRx + " rx / " + maxTx
                        + " tx queues, " + queues + " requested");
            }
            MemorySegment conf = a.allocate(lay.confSize, 8);
            RssPlan rss = planRss(info, cfg, a);
            conf.set(JAVA_INT, lay.confMqMode, rss.enabled ? lay.mqRxRss : lay.mqRxNone);
            if (rss.enabled) {
                conf.set(ADDRESS, lay.confRssKey, rss.key);
                conf.set(JAVA_BYTE, lay.confRssKeyLen, (byte) rss.key.byteSize());
                conf.set(JAVA_LONG, lay.confRssHf, rss.hashTypes);
            }
            if (cfg.mtu() != 0) {
                conf.set(JAVA_INT, lay.confRxMtu, cfg.mtu());
            }
            check(call(() -> (int) nat.configure.invokeExact(pid, (short) queues, (short) queues, conf)), "rte_eth_dev_configure");
            MemorySegment nrx = a.allocate(JAVA_SHORT), ntx = a.allocate(JAVA_SHORT);
            nrx.set(JAVA_SHORT, 0, (short) cfg.rxDescriptors());
            ntx.set(JAVA_SHORT, 0, (short) cfg.txDescriptors());
            check(call(() -> (int) nat.adjustDesc.invokeExact(pid, nrx, ntx)), "rte_eth_dev_adjust_nb_rx_tx_desc");
            int socket = call(() -> (int) nat.socketId.invokeExact(pid));
            if (socket < 0) {
                socket = lay.socketIdAny;
            }
            int sock = socket;
            int capacity = Integer.MAX_VALUE;
            for (int q = 0; q < queues; q++) {
                short qq = (short) q;
                MemorySegment poolName = a.allocateFrom(eal.nextPoolName(portId, q));
                MemorySegment pool = callSeg(() -> (MemorySegment) nat.poolCreate.invokeExact(poolName, cfg.mbufsPerQueue(),
                        cfg.mbufCache(), (short) 0, (short) lay.defaultBufSize, sock));
                if (pool.equals(MemorySegment.NULL)) {
                    throw new PacketIoException("rte_pktmbuf_pool_create for " + name + " queue " + q + ": "
                            + nat.describe(nat.rteErrno()) + " (EAL memory: raise -m or the hugepage count)");
                }
                pools[q] = pool;
                MemorySegment lo = a.allocate(JAVA_LONG), hi = a.allocate(JAVA_LONG);
                check(call(() -> (int) nat.ysPoolRange.invokeExact(pool, lo, hi)), "pool range");
                poolBases[q] = lo.get(JAVA_LONG, 0);
                poolViews[q] = MemorySegment.ofAddress(poolBases[q]).reinterpret(hi.get(JAVA_LONG, 0) - poolBases[q]);
                capacity = Math.min(capacity, call(() -> (int) nat.ysMbufCapacity.invokeExact(pool)));
                check(call(() -> (int) nat.rxQueueSetup.invokeExact(pid, qq, nrx.get(JAVA_SHORT, 0), sock,
                        MemorySegment.NULL, pool)), "rte_eth_rx_queue_setup " + q);
                check(call(() -> (int) nat.txQueueSetup.invokeExact(pid, qq, ntx.get(JAVA_SHORT, 0), sock,
                        MemorySegment.NULL)), "rte_eth_tx_queue_setup " + q);
            }
            check(call(() -> (int) nat.devStart.invokeExact(pid)), "rte_eth_dev_start");
            started = true;
            if (cfg.promiscuous()) {
                // some drivers cannot; frames for our own MAC still arrive, so not fatal
                call(() -> (int) nat.promiscuousEnable.invokeExact(pid));
            }
            MemorySegment addr = a.allocate(lay.etherAddrSize);
            check(call(() -> (int) nat.macaddrGet.invokeExact(pid, addr)), "rte_eth_macaddr_get");
            this.mac = MacAddress.read(addr, 0);
            this.frameCapacity = Math.min(capacity, mtuNow() + 18);
            RedirectionTable table = null;
            String status = rss.status;
            if (rss.enabled) {
                int retaSize = Short.toUnsignedInt(info.get(JAVA_SHORT, lay.infoRetaSize));
                if (retaSize > 0 && Integer.bitCount(retaSize) == 1) {
                    MemorySegment entries = a.allocate(JAVA_SHORT, retaSize);
                    for (int i = 0; i < retaSize; i++) {
                        entries.setAtIndex(JAVA_SHORT, i, (short) (i % queues));
                    }
                    int rc = call(() -> (int) nat.ysSetReta.invokeExact(portId, retaSize, entries));
                    if (rc == 0) {
                        table = new RedirectionTable(retaSize, queues);
                        status += ", redirection table of " + retaSize + " entries, round-robin";
                    } else {
                        status += ", redirection table left to the driver (" + nat.describe(rc) + ")";
                    }
                } else {
                    status += ", redirection table size unknown (" + retaSize + ")";
                }
            }
            this.reta = table;
            this.rssStatus = status;
            this.rssKey = rss.enabled ? rss.key.toArray(JAVA_BYTE) : null;
        } catch (RuntimeException e) {
            if (started) {
                call(() -> (int) nat.devStop.invokeExact(pid));
            }
            freePools();
            arena.close();
            throw e;
        }
    }

    private record RssPlan(boolean enabled, MemorySegment key, long hashTypes, String status) {
    }

    private RssPlan planRss(MemorySegment info, DpdkPortConfig cfg, Arena a) {
        if (queues == 1) {
            return new RssPlan(false, null, 0, "off: one queue");
        }
        if (!cfg.rss()) {
            return new RssPlan(false, null, 0, "off: disabled by configuration");
        }
        long offered = info.get(JAVA_LONG, lay.infoFlowTypeRss);
        long wanted = lay.rssIp | lay.rssTcp | lay.rssUdp;
        long types = offered & wanted;
        if (types == 0) {
            return new RssPlan(false, null, 0, "off: driver " + driver + " offers no RSS hash types (flow_type_rss_offloads=0x"
                    + Long.toHexString(offered) + "); spread flows in software");
        }
        int keyLen = Byte.toUnsignedInt(info.get(JAVA_BYTE, lay.infoHashKeySize));
        if (keyLen == 0) {
            keyLen = 40;
        }
        MemorySegment key = a.allocate(keyLen);
        MemorySegment.copy(Toeplitz.symmetricKey(keyLen), 0, key, JAVA_BYTE, 0, keyLen);
        return new RssPlan(true, key, types, "on: symmetric Toeplitz key (" + keyLen + " bytes), hash types 0x"
                + Long.toHexString(types));
    }

    private void check(int rc, String what) {
        if (rc < 0) {
            throw new PacketIoException(what + " on " + name + " (" + driver() + "): " + nat.describe(rc));
        }
    }

    private String driver() {
        return driver == null ? "?" : driver; // null while the constructor is still reading it
    }

    @FunctionalInterface
    private interface IntCall {
        int call() throws Throwable;
    }

    @FunctionalInterface
    private interface SegCall {
        MemorySegment call() throws Throwable;
    }

    private static int call(IntCall c) {
        try {
            return c.call();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    private static MemorySegment callSeg(SegCall c) {
        try {
            return c.call();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    private void freePools() {
        for (MemorySegment p : pools) {
            if (p != null) {
                call(() -> {
                    nat.mempoolFree.invokeExact(p);
                    return 0;
                });
            }
        }
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
        return mtuNow();
    }

    private int mtuNow() {
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
        return new DpdkRxBatch();
    }

    @Override
    public int receiveBurst(int queue, RxBatch batch) {
        if (!(batch instanceof DpdkRxBatch b) || batch.port() != this) {
            throw new IllegalArgumentException("batch does not belong to " + name);
        }
        b.release();
        // DPDK does not check queue ids on the fast path: a bad one would crash the process
        java.util.Objects.checkIndex(queue, queues);
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
        return new DpdkTxBatch(queue);
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

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("port " + name + " is closed");
        }
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
        freePools();
        arena.close();
    }

    private final class DpdkRxBatch extends RxBatch {
        final MemorySegment mbufs = arena.allocate(ADDRESS, MAX_BURST);
        final MemorySegment offs = arena.allocate(JAVA_LONG, MAX_BURST);
        final MemorySegment lens = arena.allocate(JAVA_INT, MAX_BURST);
        final MemorySegment dropped = arena.allocate(JAVA_INT);

        DpdkRxBatch() {
            super(DpdkPort.this);
        }

        void set(int i, long off, int len) {
            offsets[i] = off;
            lengths[i] = len;
        }

        void filled(int q, int n, MemorySegment view) {
            queue = q;
            count = n;
            buffer = view;
        }

        @Override
        protected void releaseFrames(int n) {
            if (closed) {
                return; // the pools are gone; so are their mbufs
            }
            try {
                nat.freeBulk.invokeExact(mbufs, n);
            } catch (Throwable t) {
                throw new AssertionError(t);
            }
        }
    }

    private static final int[] REFILL_SIZES = {MAX_BURST, 8, 1};

    private final class DpdkTxBatch extends TxBatch {
        /** mbuf of each burst slot, in the order they go to the device. */
        private final MemorySegment slots = arena.allocate(ADDRESS, MAX_BURST + 1);
        private final MemorySegment lens = arena.allocate(JAVA_INT, MAX_BURST);
        /** mbufs allocated in bulk, waiting to be acquired. */
        private final MemorySegment stash = arena.allocate(ADDRESS, MAX_BURST);
        private final MemorySegment stashOffs = arena.allocate(JAVA_LONG, MAX_BURST);
        private final long[] stashOffsets = new long[MAX_BURST];
        private int stashed;
        private final MemorySegment pool;
        private final long base;

        DpdkTxBatch(int queue) {
            super(queue);
            this.pool = pools[queue];
            this.base = poolBases[queue];
            this.buffer = poolViews[queue];
        }

        @Override
        public int capacity() {
            return frameCapacity;
        }

        private boolean refill() {
            // all-or-nothing bulk allocation: when the pool runs low, ask for less
            for (int n : REFILL_SIZES) {
                int rc;
                try {
                    rc = (int) nat.ysAllocBulk.invokeExact(pool, stash, n, base, stashOffs);
                } catch (Throwable t) {
                    throw new AssertionError(t);
                }
                if (rc == 0) {
                    for (int i = 0; i < n; i++) {
                        stashOffsets[i] = stashOffs.getAtIndex(JAVA_LONG, i);
                    }
                    stashed = n;
                    return true;
                }
            }
            return false;
        }

        @Override
        protected long reserve(int slot) {
            ensureOpen();
            if (stashed == 0 && !refill()) {
                counters[queue].txNoBuffer(1);
                return -1;
            }
            stashed--;
            slots.setAtIndex(JAVA_LONG, slot, stash.getAtIndex(JAVA_LONG, stashed));
            return stashOffsets[stashed];
        }

        @Override
        protected void unreserve(int slot) {
            stash.setAtIndex(JAVA_LONG, stashed, slots.getAtIndex(JAVA_LONG, slot));
            stashOffsets[stashed] = offsets[slot];
            stashed++;
        }

        @Override
        protected void moveSlot(int from, int to) {
            slots.setAtIndex(JAVA_LONG, to, slots.getAtIndex(JAVA_LONG, from));
        }

        @Override
        protected int transmit(int n) {
            ensureOpen();
            for (int i = 0; i < n; i++) {
                lens.setAtIndex(JAVA_INT, i, lengths[i]);
            }
            int sent;
            try {
                sent = (int) nat.ysTxBurst.invokeExact(portId, queue, slots, lens, n);
            } catch (Throwable t) {
                throw new AssertionError(t);
            }
            long bytes = 0;
            for (int i = 0; i < sent; i++) {
                bytes += lengths[i];
            }
            QueueCounters c = counters[queue];
            c.transmitted(sent, bytes);
            if (sent < n) {
                c.txRingFull(n - sent);
            }
            return sent;
        }

        @Override
        protected void releaseAll() {
            if (stashed > 0 && !closed) {
                try {
                    nat.freeBulk.invokeExact(stash, stashed);
                } catch (Throwable t) {
                    throw new AssertionError(t);
                }
                stashed = 0;
            }
        }
    }
}
