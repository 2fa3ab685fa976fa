package yastack.kernel.io.dpdk;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static yastack.kernel.io.dpdk.DpdkCalls.call;
import static yastack.kernel.io.dpdk.DpdkCalls.callSeg;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import yastack.kernel.io.MacAddress;
import yastack.kernel.io.PacketIoException;
import yastack.kernel.io.rss.RedirectionTable;
import yastack.kernel.io.rss.Toeplitz;

/**
 * Brings an ethdev port from probed to started: read the device's limits, plan RSS, configure, size the rings,
 * give each queue its own mbuf pool and rx/tx queue, start, then program the redirection table on the started
 * port. What it learns becomes {@link DpdkPort}'s final fields. A failing step undoes the earlier ones (stops a
 * started device, frees the pools) before the exception leaves.
 */
final class DpdkPortSetup {
    private final DpdkEal eal;
    private final DpdkNative nat;
    private final DpdkNative.Layout lay;
    private final int portId;
    private final short pid;
    private final String name;
    private final DpdkPortConfig cfg;
    private final int queues;
    private short rxRing;
    private short txRing;

    // results, read by DpdkPort
    String driver;
    final MemorySegment[] pools;
    final MemorySegment[] poolViews;
    final long[] poolBases;
    int frameCapacity;
    MacAddress mac;
    RedirectionTable reta;
    String rssStatus;
    byte[] rssKey;

    private DpdkPortSetup(DpdkEal eal, DpdkNative nat, int portId, String name, DpdkPortConfig cfg) {
        this.eal = eal;
        this.nat = nat;
        this.lay = nat.layout;
        this.portId = portId;
        this.pid = (short) portId;
        this.name = name;
        this.cfg = cfg;
        this.queues = cfg.queues();
        this.pools = new MemorySegment[queues];
        this.poolViews = new MemorySegment[queues];
        this.poolBases = new long[queues];
    }

    /** Configures and starts the port; throws {@link PacketIoException} with nothing left allocated. */
    static DpdkPortSetup run(DpdkEal eal, DpdkNative nat, int portId, String name, DpdkPortConfig cfg) {
        DpdkPortSetup s = new DpdkPortSetup(eal, nat, portId, name, cfg);
        s.run();
        return s;
    }

    private void run() {
        boolean started = false;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment info = readDeviceInfo(a);
            RssPlan rss = planRss(info, a);
            configure(rss, a);
            adjustRingSizes(a);
            int mbufRoom = setUpQueues(a);
            start();
            started = true;
            if (cfg.promiscuous()) {
                enablePromiscuous();
            }
            this.mac = readMac(a);
            this.frameCapacity = Math.min(mbufRoom, DpdkPort.readMtu(nat, portId) + 18);
            programRedirection(rss, info, a);
        } catch (RuntimeException e) {
            if (started) {
                call(() -> (int) nat.devStop.invokeExact(pid));
            }
            freePools(nat, pools);
            throw e;
        }
    }

    /** rte_eth_dev_info into a, after checking the device has the queues asked for. */
    private MemorySegment readDeviceInfo(Arena a) {
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
        return info;
    }

    private record RssPlan(boolean enabled, MemorySegment key, long hashTypes, String status) {
    }

    private RssPlan planRss(MemorySegment info, Arena a) {
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

    /** rte_eth_dev_configure: queue counts, RSS and MTU. */
    private void configure(RssPlan rss, Arena a) {
        MemorySegment conf = a.allocate(lay.confSize, 8);
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
    }

    /** The ring sizes asked for, as the driver rounds and clamps them. */
    private void adjustRingSizes(Arena a) {
        MemorySegment nrx = a.allocate(JAVA_SHORT), ntx = a.allocate(JAVA_SHORT);
        nrx.set(JAVA_SHORT, 0, (short) cfg.rxDescriptors());
        ntx.set(JAVA_SHORT, 0, (short) cfg.txDescriptors());
        check(call(() -> (int) nat.adjustDesc.invokeExact(pid, nrx, ntx)), "rte_eth_dev_adjust_nb_rx_tx_desc");
        this.rxRing = nrx.get(JAVA_SHORT, 0);
        this.txRing = ntx.get(JAVA_SHORT, 0);
    }

    /**
     * One mbuf pool per queue, on the device's NUMA socket, then that queue's rx and tx rings. Records each pool's
     * address range so frames can be located by offset; returns the smallest mbuf data room.
     */
    private int setUpQueues(Arena a) {
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
            check(call(() -> (int) nat.rxQueueSetup.invokeExact(pid, qq, rxRing, sock,
                    MemorySegment.NULL, pool)), "rte_eth_rx_queue_setup " + q);
            check(call(() -> (int) nat.txQueueSetup.invokeExact(pid, qq, txRing, sock,
                    MemorySegment.NULL)), "rte_eth_tx_queue_setup " + q);
        }
        return capacity;
    }

    private void start() {
        check(call(() -> (int) nat.devStart.invokeExact(pid)), "rte_eth_dev_start");
    }

    private void enablePromiscuous() {
        // some drivers cannot; frames for our own MAC still arrive, so not fatal
        call(() -> (int) nat.promiscuousEnable.invokeExact(pid));
    }

    private MacAddress readMac(Arena a) {
        MemorySegment addr = a.allocate(lay.etherAddrSize);
        check(call(() -> (int) nat.macaddrGet.invokeExact(pid, addr)), "rte_eth_macaddr_get");
        return MacAddress.read(addr, 0);
    }

    /**
     * Programs a round-robin redirection table, so the dataplane can predict which queue a flow's hash lands on
     * (hardware RSS needs that to pick return-flow ports). A driver that refuses keeps a table we cannot predict:
     * no {@link RedirectionTable} then, and the status says why.
     */
    private void programRedirection(RssPlan rss, MemorySegment info, Arena a) {
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
    }

    /** Frees the pools created so far; also how a closing {@link DpdkPort} gives its pools back. */
    static void freePools(DpdkNative nat, MemorySegment[] pools) {
        for (MemorySegment p : pools) {
            if (p != null) {
                call(() -> {
                    nat.mempoolFree.invokeExact(p);
                    return 0;
                });
            }
        }
    }

    private void check(int rc, String what) {
        DpdkCalls.check(nat, rc, what, name, driver); // driver is null until the device info is read
    }
}
