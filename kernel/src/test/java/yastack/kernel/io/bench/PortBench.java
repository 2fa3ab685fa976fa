package yastack.kernel.io.bench;

import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import yastack.kernel.fixtures.Frames;
import yastack.kernel.fixtures.Shell;
import yastack.kernel.io.MacAddress;
import yastack.kernel.io.PacketPort;
import yastack.kernel.io.PortStats;
import yastack.kernel.io.RxBatch;
import yastack.kernel.io.TxBatch;
import yastack.kernel.io.dpdk.DpdkEal;
import yastack.kernel.io.dpdk.DpdkPort;
import yastack.kernel.io.dpdk.DpdkPortConfig;
import yastack.kernel.io.mem.MemorySwitch;
import yastack.kernel.io.tap.TapConfig;
import yastack.kernel.io.tap.TapPort;

/**
 * Packets per second through each backend: one thread transmits bursts of 32 small UDP frames
 * (acquire, write, commit, flush) on one port and receives them (burst, read a byte, release)
 * on another, for a bounded time per backend.
 *
 * <pre>
 * mvn -pl kernel -am test-compile
 * java --enable-native-access=ALL-UNNAMED -cp kernel/target/classes:kernel/target/test-classes \
 *     yastack.kernel.io.bench.PortBench [--seconds 2] [--size 64] [mem,tap,ring,afpacket]
 * </pre>
 * TAP and af_packet need root; they create a bridge or a veth pair with unique names and
 * delete them afterwards. DPDK backends need DPDK and the shim (see kernel/src/main/c/README.md).
 */
public final class PortBench {
    private static final MacAddress SRC = MacAddress.parse("02:00:00:00:01:01");

    private final double seconds;
    private final int frameSize;

    private PortBench(double seconds, int frameSize) {
        this.seconds = seconds;
        this.frameSize = frameSize;
    }

    public static void main(String[] args) throws Exception {
        double seconds = 2;
        int size = 64;
        List<String> backends = new ArrayList<>(List.of("mem", "tap", "ring", "afpacket"));
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--seconds" -> seconds = Double.parseDouble(args[++i]);
                case "--size" -> size = Integer.parseInt(args[++i]);
                default -> backends = Arrays.asList(args[i].split(","));
            }
        }
        if (seconds <= 0 || seconds > 60 || size < 60 || size > 1514) {
            throw new IllegalArgumentException("--seconds must be in (0, 60], --size in 60..1514");
        }
        PortBench bench = new PortBench(seconds, size);
        System.out.printf(Locale.ROOT, "%-9s %12s %12s %10s  %s%n", "backend", "tx pkt/s", "rx pkt/s", "lost", "notes");
        for (String b : backends) {
            try {
                switch (b) {
                    case "mem" -> bench.memory();
                    case "tap" -> bench.tap();
                    case "ring" -> bench.ring();
                    case "afpacket" -> bench.afPacket();
                    default -> System.out.println(b + ": unknown backend (mem, tap, ring, afpacket)");
                }
            } catch (RuntimeException e) {
                System.out.printf(Locale.ROOT, "%-9s skipped: %s%n", b, e.getMessage());
            }
        }
    }

    /** Runs tx-then-rx rounds until time is up; prints rates. */
    private void run(String label, PacketPort txPort, int txQueue, PacketPort rxPort, int rxQueue, MacAddress dst, String notes) {
        RxBatch rx = rxPort.newRxBatch();
        long sent = 0, received = 0, seq = 0;
        int payload = frameSize - 14 - 20 - 8;
        long checksum = 0;
        try (TxBatch tx = txPort.newTxBatch(txQueue)) {
            // warm-up so JIT and device queues settle, then the measured interval
            for (int phase = 0; phase < 2; phase++) {
                long end = System.nanoTime() + (long) ((phase == 0 ? Math.min(0.5, seconds / 4) : seconds) * 1e9);
                long start = System.nanoTime();
                sent = 0;
                received = 0;
                PortStats before = txPort.stats();
                long rounds = 0;
                while ((rounds++ & 63) != 0 || System.nanoTime() < end) {
                    for (int i = 0; i < PacketPort.MAX_BURST; i++) {
                        long off = tx.acquire();
                        if (off < 0) {
                            break;
                        }
                        tx.commit(Frames.udp(tx.buffer(), off, dst, SRC, 0x0a000001, 0x0a000002, 1000, 2000, (int) seq++, payload));
                    }
                    sent += tx.flush();
                    int n;
                    while ((n = rxPort.receiveBurst(rxQueue, rx)) > 0) {
                        for (int i = 0; i < n; i++) {
                            checksum += rx.buffer().get(ValueLayout.JAVA_BYTE, rx.offset(i) + rx.length(i) - 1);
                        }
                        received += n;
                        rx.release();
                        if (n < PacketPort.MAX_BURST) {
                            break;
                        }
                    }
                }
                // drain what is still in flight (bounded)
                long drainEnd = System.nanoTime() + 200_000_000L;
                while (System.nanoTime() < drainEnd) {
                    int n = rxPort.receiveBurst(rxQueue, rx);
                    received += n;
                    rx.release();
                }
                double secs = (System.nanoTime() - start) / 1e9;
                if (phase == 1) {
                    PortStats after = txPort.stats();
                    long txDrops = (after.txRingFull() - before.txRingFull()) + (after.txNoBuffer() - before.txNoBuffer());
                    System.out.printf(Locale.ROOT, "%-9s %12.0f %12.0f %10d  %s (tx drops %d, %d-byte frames)%n",
                            label, sent / secs, received / secs, Math.max(0, sent - received), notes, txDrops, frameSize);
                }
            }
        }
        sink = checksum;
    }

    /** Keeps the receive loop's reads from being optimised away. */
    static volatile long sink;

    private void memory() {
        MemorySwitch sw = new MemorySwitch();
        MacAddress b = MacAddress.parse("02:00:00:00:02:02");
        try (var pa = sw.attach("a", SRC, 1); var pb = sw.attach("b", b, 1)) {
            run("mem", pa, 0, pb, 0, b, "in-memory switch, copy per frame");
        }
    }

    private void tap() {
        requireRoot();
        String sfx = Shell.uniqueSuffix();
        String br = "ysbbr" + sfx, ta = "ysbta" + sfx, tb = "ysbtb" + sfx;
        MacAddress bmac = MacAddress.parse("02:00:00:00:02:02");
        try {
            Shell.must("ip", "link", "add", br, "type", "bridge");
            Shell.must("ip", "link", "set", br, "up");
            try (TapPort a = TapPort.open(TapConfig.of(ta).withMac(SRC)); TapPort b = TapPort.open(TapConfig.of(tb).withMac(bmac))) {
                for (String t : List.of(ta, tb)) {
                    Shell.quietly("sysctl", "-qw", "net.ipv6.conf." + t + ".disable_ipv6=1");
                    Shell.must("ip", "link", "set", t, "master", br);
                }
                run("tap", a, 0, b, 0, bmac, "TAP -> Linux bridge -> TAP, one syscall per frame");
            }
        } finally {
            Shell.quietly("ip", "link", "del", ta);
            Shell.quietly("ip", "link", "del", tb);
            Shell.quietly("ip", "link", "del", br);
        }
    }

    private static DpdkEal eal() {
        requireRoot();
        DpdkEal.unavailableReason().ifPresent(r -> {
            throw new IllegalStateException(r);
        });
        return DpdkEal.current().orElseGet(() -> DpdkEal.init(List.of("-l", "0", "--no-pci", "--no-huge", "-m", "512",
                "--no-shconf", "--no-telemetry", "--file-prefix", "ysbench" + ProcessHandle.current().pid())));
    }

    private void ring() {
        DpdkEal eal = eal();
        // the ring PMD names its rings ETH_RXTX<q>_<device>, and ring names stop at 28 bytes
        int id = eal.probe("net_ring_b" + Shell.uniqueSuffix());
        try (DpdkPort p = eal.open(id, DpdkPortConfig.defaults(1))) {
            run("ring", p, 0, p, 0, MacAddress.parse("02:00:00:00:02:02"), "DPDK net_ring loopback, in-place mbufs");
        }
    }

    private void afPacket() {
        DpdkEal eal = eal();
        String sfx = Shell.uniqueSuffix();
        String va = "ysbva" + sfx, vb = "ysbvb" + sfx;
        try {
            Shell.must("ip", "link", "add", va, "type", "veth", "peer", "name", vb);
            for (String v : List.of(va, vb)) {
                Shell.quietly("sysctl", "-qw", "net.ipv6.conf." + v + ".disable_ipv6=1");
                Shell.must("ip", "link", "set", v, "up");
            }
            int ia = eal.probe("net_af_packet_ba" + sfx + ",iface=" + va);
            int ib = eal.probe("net_af_packet_bb" + sfx + ",iface=" + vb);
            try (DpdkPort a = eal.open(ia, DpdkPortConfig.defaults(1)); DpdkPort b = eal.open(ib, DpdkPortConfig.defaults(1))) {
                run("afpacket", a, 0, b, 0, b.mac(), "DPDK af_packet on a veth pair");
            }
        } finally {
            Shell.quietly("ip", "link", "del", va);
        }
    }

    private static void requireRoot() {
        if (!Shell.isRoot()) {
            throw new IllegalStateException("needs root");
        }
    }
}
