package yastack.kernel.io.support;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import java.util.Optional;
import yastack.kernel.io.dpdk.DpdkEal;

/**
 * The one DPDK EAL of the test JVM (EAL initialises once per process): every DPDK test gets it
 * here, with the same arguments, and adds devices with {@link DpdkEal#probe(String)}.
 */
public final class TestEal {
    /** EAL arguments that need no NIC, no hugepages and no shared runtime files. */
    public static final List<String> ARGS = List.of("-l", "0", "--no-pci", "--no-huge", "-m", "256",
            "--no-shconf", "--no-telemetry", "--file-prefix", "ystest" + ProcessHandle.current().pid(),
            "--vdev", "net_ring0", "--vdev", "net_null0");

    private TestEal() {
    }

    /** The EAL, or a skipped test saying why DPDK cannot run here. */
    public static synchronized DpdkEal get() {
        assumeTrue(Shell.isRoot(), "DPDK tests need root");
        Optional<String> missing = DpdkEal.unavailableReason();
        assumeTrue(missing.isEmpty(), () -> "DPDK unavailable: " + missing.orElse(""));
        return DpdkEal.init(ARGS);
    }
}
