package yastack.kernel.io.dpdk;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import yastack.kernel.io.PacketIoException;

/**
 * DPDK's Environment Abstraction Layer, initialised once per process (DPDK cannot do it twice),
 * and the way to open ports. {@code rte_eal_init} pins the thread calling it to the main
 * lcore, so it runs on a thread of its own that ends afterwards; workers stay unpinned by
 * DPDK and may call {@link #registerCurrentThread()} to get an lcore id (and mempool caches).
 *
 * <p>Without hardware: {@code --no-pci --no-huge -m 256 --no-shconf --no-telemetry} plus
 * {@code --vdev} arguments (net_af_packet0,iface=IF / net_tap0,iface=IF / net_ring0 / net_null0),
 * or {@link #probe(String)} for a virtual device after init.
 */
public final class DpdkEal {
    private static DpdkEal instance;
    private static String initFailure;

    private final DpdkNative nat;
    private final List<String> args;
    private final AtomicInteger poolSeq = new AtomicInteger();

    private DpdkEal(DpdkNative nat, List<String> args) {
        this.nat = nat;
        this.args = List.copyOf(args);
    }

    /** Empty if DPDK and the shim load on this machine, else the reason (with the install command). */
    public static Optional<String> unavailableReason() {
        try {
            DpdkNative.get();
            return Optional.empty();
        } catch (DpdkUnavailableException e) {
            return Optional.of(e.getMessage());
        }
    }

    /**
     * Initialises EAL with {@code args} (without a program name), or returns the instance an
     * earlier call created with the same arguments.
     *
     * @throws DpdkUnavailableException if DPDK or the shim is missing
     * @throws PacketIoException if EAL rejects the arguments, or was initialised differently
     */
    public static synchronized DpdkEal init(List<String> args) {
        if (instance != null) {
            if (!instance.args.equals(args)) {
                throw new IllegalStateException("DPDK EAL is initialised once per process; it already runs with "
                        + instance.args + ", cannot re-initialise with " + args);
            }
            return instance;
        }
        if (initFailure != null) {
            throw new PacketIoException("DPDK EAL initialisation failed earlier in this process: " + initFailure);
        }
        DpdkNative nat = DpdkNative.get();
        int[] result = new int[2];
        Thread t = Thread.ofPlatform().name("dpdk-eal-init").unstarted(() -> {
            Arena global = Arena.global(); // EAL may keep pointers into argv
            MemorySegment argv = global.allocate(ValueLayout.ADDRESS, args.size() + 2);
            argv.setAtIndex(ValueLayout.ADDRESS, 0, global.allocateFrom("yastack"));
            for (int i = 0; i < args.size(); i++) {
                argv.setAtIndex(ValueLayout.ADDRESS, i + 1, global.allocateFrom(args.get(i)));
            }
            argv.setAtIndex(ValueLayout.ADDRESS, args.size() + 1, MemorySegment.NULL);
            try {
                result[0] = (int) nat.ealInit.invokeExact(args.size() + 1, argv);
                result[1] = result[0] < 0 ? nat.rteErrno() : 0;
            } catch (Throwable e) {
                throw new AssertionError(e);
            }
        });
        t.start();
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PacketIoException("interrupted while DPDK EAL initialised");
        }
        if (result[0] < 0) {
            initFailure = "rte_eal_init" + args + ": " + nat.describe(result[1]);
            throw new PacketIoException(initFailure + "; without hardware try --no-pci --no-huge -m 256 --no-shconf --no-telemetry");
        }
        instance = new DpdkEal(nat, args);
        return instance;
    }

    /** The EAL of this process, if initialised. */
    public static synchronized Optional<DpdkEal> current() {
        return Optional.ofNullable(instance);
    }

    public List<String> args() {
        return args;
    }

    /** Ethernet ports DPDK knows (probed at init or since). */
    public int portCount() {
        try {
            return Short.toUnsignedInt((short) nat.countAvail.invokeExact());
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** The port id of a device name such as {@code net_ring0}; throws if there is none. */
    public int portId(String name) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment id = a.allocate(ValueLayout.JAVA_SHORT);
            int rc = (int) nat.portByName.invokeExact(a.allocateFrom(name), id);
            if (rc < 0) {
                throw new PacketIoException("no DPDK port named " + name + " (" + nat.describe(rc) + "); ports: " + portNames());
            }
            return Short.toUnsignedInt(id.get(ValueLayout.JAVA_SHORT, 0));
        } catch (PacketIoException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    public String portName(int portId) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(64);
            int rc = (int) nat.nameByPort.invokeExact((short) portId, buf);
            if (rc < 0) {
                throw new PacketIoException("no DPDK port " + portId + ": " + nat.describe(rc));
            }
            return buf.getString(0);
        } catch (PacketIoException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** Names of the ports with ids below 64. */
    public List<String> portNames() {
        List<String> names = new ArrayList<>();
        for (int id = 0; id < 64 && names.size() < portCount(); id++) {
            try {
                names.add(portName(id));
            } catch (PacketIoException ignored) {
                // id not in use
            }
        }
        return names;
    }

    /**
     * Hot-plugs a device after init, e.g. {@code net_af_packet1,iface=veth1}, and returns the
     * port id of the device (named by the part before the first comma).
     */
    public int probe(String devargs) {
        try (Arena a = Arena.ofConfined()) {
            int rc = (int) nat.devProbe.invokeExact(a.allocateFrom(devargs));
            if (rc < 0) {
                throw new PacketIoException("rte_dev_probe(" + devargs + "): " + nat.describe(rc));
            }
        } catch (PacketIoException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        int comma = devargs.indexOf(',');
        return portId(comma < 0 ? devargs : devargs.substring(0, comma));
    }

    /** Configures and starts a port by device name. */
    public DpdkPort open(String name, DpdkPortConfig config) {
        return open(portId(name), config);
    }

    public DpdkPort open(int portId, DpdkPortConfig config) {
        return new DpdkPort(this, nat, portId, portName(portId), config);
    }

    String nextPoolName(int portId, int queue) {
        return "ys" + poolSeq.incrementAndGet() + "_p" + portId + "q" + queue;
    }

    /**
     * Gives the calling thread an EAL lcore id, so mempool caches serve it; call once on each
     * worker before it polls. Returns false when EAL has no free lcore slot.
     */
    public boolean registerCurrentThread() {
        try {
            return (int) nat.threadRegister.invokeExact() == 0;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    public void unregisterCurrentThread() {
        try {
            nat.threadUnregister.invokeExact();
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }
}
