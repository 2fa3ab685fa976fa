package yastack.kernel.io.dpdk;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Method handles for DPDK and the yastack shim. Loading the shim loads DPDK with it (the shim
 * links EAL, ethdev, mbuf and mempool), and every {@code rte_*} symbol is looked up through
 * the shim's handle. Struct offsets come from {@code ys_layout}, compiled against the installed
 * headers, never from constants here.
 */
final class DpdkNative {
    static final String SHIM = "libyastack_dpdk.so";
    static final String SHIM_PROPERTY = "yastack.dpdk.shim";
    static final String INSTALL_HINT = "apt-get install -y dpdk libdpdk-dev";
    private static final int SHIM_VERSION = 1;

    private static volatile DpdkNative instance;
    private static volatile DpdkUnavailableException failure;

    private final Linker linker = Linker.nativeLinker();
    private final SymbolLookup lookup;
    final Path shimPath;

    // shim
    final MethodHandle ysErrno, ysLayout, ysRxBurst, ysAllocBulk, ysMbufCapacity, ysTxBurst, ysLink, ysPoolRange, ysSetReta;
    // DPDK, exported functions
    final MethodHandle ealInit, strerror, devProbe, threadRegister, threadUnregister;
    final MethodHandle countAvail, portByName, nameByPort, infoGet, configure, adjustDesc, socketId;
    final MethodHandle poolCreate, mempoolFree, freeBulk, rxQueueSetup, txQueueSetup;
    final MethodHandle devStart, devStop, devClose, promiscuousEnable, macaddrGet, getMtu, setMtu, statsGet;

    final Layout layout;

    private DpdkNative(Path shim) {
        this.shimPath = shim;
        this.lookup = SymbolLookup.libraryLookup(shim, Arena.global());
        MethodHandle version = bind("ys_shim_version", FunctionDescriptor.of(JAVA_INT));
        int v;
        try {
            v = (int) version.invokeExact();
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        if (v != SHIM_VERSION) {
            throw new DpdkUnavailableException(shim + " is shim version " + v + ", this yastack needs " + SHIM_VERSION + "; rebuild it");
        }
        ysErrno = bind("ys_errno", FunctionDescriptor.of(JAVA_INT));
        ysLayout = bind("ys_layout", FunctionDescriptor.of(JAVA_LONG, ADDRESS));
        ysRxBurst = bind("ys_rx_burst", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT,
                JAVA_LONG, ADDRESS, ADDRESS, ADDRESS));
        ysAllocBulk = bind("ys_alloc_bulk", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, JAVA_LONG, ADDRESS));
        ysMbufCapacity = bind("ys_mbuf_capacity", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        ysTxBurst = bind("ys_tx_burst", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
        ysLink = bind("ys_link", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
        ysPoolRange = bind("ys_pool_range", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
        ysSetReta = bind("ys_set_reta", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));

        ealInit = bind("rte_eal_init", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
        strerror = bind("rte_strerror", FunctionDescriptor.of(ADDRESS, JAVA_INT));
        devProbe = bind("rte_dev_probe", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        threadRegister = bind("rte_thread_register", FunctionDescriptor.of(JAVA_INT));
        threadUnregister = bind("rte_thread_unregister", FunctionDescriptor.ofVoid());
        countAvail = bind("rte_eth_dev_count_avail", FunctionDescriptor.of(JAVA_SHORT));
        portByName = bind("rte_eth_dev_get_port_by_name", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        nameByPort = bind("rte_eth_dev_get_name_by_port", FunctionDescriptor.of(JAVA_INT, JAVA_SHORT, ADDRESS));
        infoGet = bind("rte_eth_dev_info_get", FunctionDescriptor.of(JAVA_INT, JAVA_SHORT, ADDRESS));
        configure = bind("rte_eth_dev_configure", FunctionDescriptor.of(JAVA_INT, JAVA_SHORT, JAVA_SHORT, JAVA_SHORT, ADDRESS));
        adjustDesc = bind("rte_eth_dev_adjust_nb_rx_tx_desc", FunctionDescriptor.of(JAVA_INT, JAVA_SHORT, ADDRESS, ADDRESS));
        socketId = bind("rte_eth_dev_socket_id", FunctionDescriptor.of(JAVA_INT, JAVA_SHORT));
        poolCreate = bind("rte_pktmbuf_pool_create", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT, JAVA_INT,
                JAVA_SHORT, JAVA_SHORT, JAVA_INT));
        mempoolFree = bind("rte_mempool_free", FunctionDescriptor.ofVoid(ADDRESS));
        freeBulk = bind("rte_pktmbuf_free_bulk", FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT));
        rxQueueSetup = bind("rte_eth_rx_queue_setup", FunctionDescriptor.of(JAVA_INT, JAVA_SHORT, JAVA_SHORT, JAVA_SHORT,
                JAVA_INT, ADDRESS, ADDRESS));
        txQueueSetup = bind("rte_eth_tx_queue_setup", FunctionDescriptor.of(JAVA_INT, JAVA_SHORT, JAVA_SHORT, JAVA_SHORT,
                JAVA_INT, ADDRESS));
        devStart = bind("rte_eth_dev_start", FunctionDescriptor.of(JAVA_INT, JAVA_SHORT));
        devStop = bind("rte_eth_dev_stop", FunctionDescriptor.of(JAVA_INT, JAVA_SHORT));
        devClose = bind("rte_eth_dev_close", FunctionDescriptor.of(JAVA_INT, JAVA_SHORT));
        promiscuousEnable = bind("rte_eth_promiscuous_enable", FunctionDescriptor.of(JAVA_INT, JAVA_SHORT));
        macaddrGet = bind("rte_eth_macaddr_get", FunctionDescriptor.of(JAVA_INT, JAVA_SHORT, ADDRESS));
        getMtu = bind("rte_eth_dev_get_mtu", FunctionDescriptor.of(JAVA_INT, JAVA_SHORT, ADDRESS));
        setMtu = bind("rte_eth_dev_set_mtu", FunctionDescriptor.of(JAVA_INT, JAVA_SHORT, JAVA_SHORT));
        statsGet = bind("rte_eth_stats_get", FunctionDescriptor.of(JAVA_INT, JAVA_SHORT, ADDRESS));
        layout = new Layout(this);
    }

    private MethodHandle bind(String name, FunctionDescriptor fd) {
        MemorySegment addr = lookup.find(name).orElseThrow(() -> new DpdkUnavailableException(
                "symbol " + name + " not found through " + shimPath + "; the shim must be rebuilt against DPDK 22.11 ("
                        + INSTALL_HINT + ")"));
        return linker.downcallHandle(addr, fd);
    }

    /** Loads the shim and DPDK once; throws {@link DpdkUnavailableException} saying what is missing. */
    static DpdkNative get() {
        DpdkNative n = instance;
        if (n != null) {
            return n;
        }
        synchronized (DpdkNative.class) {
            if (instance != null) {
                return instance;
            }
            if (failure != null) {
                throw failure;
            }
            try {
                instance = new DpdkNative(findShim());
                return instance;
            } catch (DpdkUnavailableException e) {
                failure = e;
                throw e;
            } catch (IllegalArgumentException | UnsatisfiedLinkError e) {
                // libraryLookup fails when the shim's DPDK libraries are missing
                failure = new DpdkUnavailableException("cannot load the yastack DPDK shim: " + e.getMessage()
                        + "; DPDK 22.11 runtime libraries are needed: " + INSTALL_HINT, e);
                throw failure;
            }
        }
    }

    /**
     * Where the shim is: the {@code yastack.dpdk.shim} property, a directory of
     * {@code java.library.path}, or the copy built into the kernel jar (extracted to a
     * temporary file, since dlopen needs a file).
     */
    private static Path findShim() {
        String explicit = System.getProperty(SHIM_PROPERTY);
        if (explicit != null && !explicit.isBlank()) {
            Path p = Path.of(explicit);
            if (!Files.isRegularFile(p)) {
                throw new DpdkUnavailableException("-D" + SHIM_PROPERTY + "=" + explicit + " does not exist");
            }
            return p;
        }
        for (String dir : System.getProperty("java.library.path", "").split(File.pathSeparator)) {
            if (!dir.isBlank() && Files.isRegularFile(Path.of(dir, SHIM))) {
                return Path.of(dir, SHIM);
            }
        }
        try (InputStream in = DpdkNative.class.getResourceAsStream("/META-INF/native/" + SHIM)) {
            if (in != null) {
                Path dir = Files.createTempDirectory("yastack-dpdk");
                Path p = dir.resolve(SHIM);
                Files.copy(in, p, StandardCopyOption.REPLACE_EXISTING);
                p.toFile().deleteOnExit();
                dir.toFile().deleteOnExit();
                return p;
            }
        } catch (IOException e) {
            throw new DpdkUnavailableException("cannot extract the DPDK shim: " + e, e);
        }
        boolean dpdkInstalled = Files.exists(Path.of("/usr/include/dpdk/rte_ethdev.h"))
                || Files.exists(Path.of("/usr/lib/x86_64-linux-gnu/librte_ethdev.so.23"));
        throw new DpdkUnavailableException(dpdkInstalled
                ? "DPDK is installed but this yastack build has no " + SHIM + " (it is compiled only when "
                        + "`pkg-config --exists libdpdk` succeeds at build time): rebuild yastack, or point -D"
                        + SHIM_PROPERTY + " at the library"
                : "DPDK is not installed: " + INSTALL_HINT + " (then rebuild yastack so its DPDK shim is compiled)");
    }

    int rteErrno() {
        try {
            return (int) ysErrno.invokeExact();
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    String describe(int err) {
        int e = Math.abs(err);
        try {
            MemorySegment s = (MemorySegment) strerror.invokeExact(e);
            return s.reinterpret(256).getString(0) + " (" + e + ")";
        } catch (Throwable t) {
            return "error " + e;
        }
    }

    /** Offsets, sizes and constants the shim read from DPDK's headers. */
    static final class Layout {
        final long confSize, confMqMode, confRxMtu, confRssKey, confRssKeyLen, confRssHf;
        final long infoSize, infoDriverName, infoIfIndex, infoMinMtu, infoMaxMtu, infoMaxRxQueues, infoMaxTxQueues,
                infoRetaSize, infoHashKeySize, infoFlowTypeRss, infoRxDescMax, infoTxDescMax;
        final long statsSize, statsIpackets, statsOpackets, statsIbytes, statsObytes, statsImissed, statsIerrors,
                statsOerrors, statsRxNombuf;
        final long etherAddrSize;
        final int mqRxNone, mqRxRss, socketIdAny;
        final long rssIp, rssTcp, rssUdp;
        final int headroom, defaultBufSize;

        Layout(DpdkNative n) {
            confSize = n.get("rte_eth_conf.size");
            confMqMode = n.get("rte_eth_conf.rxmode.mq_mode");
            confRxMtu = n.get("rte_eth_conf.rxmode.mtu");
            confRssKey = n.get("rte_eth_conf.rx_adv_conf.rss_conf.rss_key");
            confRssKeyLen = n.get("rte_eth_conf.rx_adv_conf.rss_conf.rss_key_len");
            confRssHf = n.get("rte_eth_conf.rx_adv_conf.rss_conf.rss_hf");
            infoSize = n.get("rte_eth_dev_info.size");
            infoDriverName = n.get("rte_eth_dev_info.driver_name");
            infoIfIndex = n.get("rte_eth_dev_info.if_index");
            infoMinMtu = n.get("rte_eth_dev_info.min_mtu");
            infoMaxMtu = n.get("rte_eth_dev_info.max_mtu");
            infoMaxRxQueues = n.get("rte_eth_dev_info.max_rx_queues");
            infoMaxTxQueues = n.get("rte_eth_dev_info.max_tx_queues");
            infoRetaSize = n.get("rte_eth_dev_info.reta_size");
            infoHashKeySize = n.get("rte_eth_dev_info.hash_key_size");
            infoFlowTypeRss = n.get("rte_eth_dev_info.flow_type_rss_offloads");
            infoRxDescMax = n.get("rte_eth_dev_info.rx_desc_lim.nb_max");
            infoTxDescMax = n.get("rte_eth_dev_info.tx_desc_lim.nb_max");
            statsSize = n.get("rte_eth_stats.size");
            statsIpackets = n.get("rte_eth_stats.ipackets");
            statsOpackets = n.get("rte_eth_stats.opackets");
            statsIbytes = n.get("rte_eth_stats.ibytes");
            statsObytes = n.get("rte_eth_stats.obytes");
            statsImissed = n.get("rte_eth_stats.imissed");
            statsIerrors = n.get("rte_eth_stats.ierrors");
            statsOerrors = n.get("rte_eth_stats.oerrors");
            statsRxNombuf = n.get("rte_eth_stats.rx_nombuf");
            etherAddrSize = n.get("rte_ether_addr.size");
            mqRxNone = (int) n.get("RTE_ETH_MQ_RX_NONE");
            mqRxRss = (int) n.get("RTE_ETH_MQ_RX_RSS");
            socketIdAny = (int) n.getSigned("SOCKET_ID_ANY");
            rssIp = n.get("RTE_ETH_RSS_IP");
            rssTcp = n.get("RTE_ETH_RSS_TCP");
            rssUdp = n.get("RTE_ETH_RSS_UDP");
            headroom = (int) n.get("RTE_PKTMBUF_HEADROOM");
            defaultBufSize = (int) n.get("RTE_MBUF_DEFAULT_BUF_SIZE");
        }
    }

    private long getSigned(String name) {
        try (Arena a = Arena.ofConfined()) {
            return (long) ysLayout.invokeExact(a.allocateFrom(name));
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    private long get(String name) {
        long v = getSigned(name);
        if (v < 0) {
            throw new DpdkUnavailableException("the DPDK shim does not know " + name + "; rebuild it");
        }
        return v;
    }
}
