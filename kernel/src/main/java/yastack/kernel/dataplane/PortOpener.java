package yastack.kernel.dataplane;

import java.util.ArrayList;
import java.util.List;
import yastack.kernel.io.PacketIoException;
import yastack.kernel.io.PacketPort;
import yastack.kernel.io.dpdk.DpdkEal;
import yastack.kernel.io.dpdk.DpdkPort;
import yastack.kernel.io.dpdk.DpdkPortConfig;
import yastack.kernel.io.tap.TapConfig;
import yastack.kernel.io.tap.TapPort;
import yastack.kernel.util.Logs;

/** Opens the packet port behind an interface, with the number of queue pairs the data plane asks for. */
@FunctionalInterface
public interface PortOpener {
    /**
     * @param queues queue pairs wanted (one per worker); a backend may give fewer (then workers
     *               hand their frames to the distributor to transmit)
     * @param hardwareRss whether the device should spread flows over the queues itself
     */
    PacketPort open(InterfaceSpec spec, int queues, boolean hardwareRss);

    /** EAL arguments used when an interface gives none. */
    List<String> DEFAULT_EAL_ARGS = List.of("-l", "0", "--no-pci", "--no-huge", "-m", "256", "--no-shconf", "--no-telemetry");

    /** The config's backends: {@code tap} and {@code dpdk}. */
    PortOpener BACKENDS = (spec, queues, hardwareRss) -> switch (spec.backend()) {
        case "tap" -> {
            TapConfig c = TapConfig.of(spec.device()).withQueues(queues).withMtu(spec.mtu());
            yield TapPort.open(spec.mac() == null ? c : c.withMac(spec.mac()));
        }
        case "dpdk" -> Backends.openDpdk(spec, queues, hardwareRss);
        default -> throw new IllegalArgumentException("interface " + spec.name() + ": unknown backend '" + spec.backend() + "'");
    };

    /** Backend helpers. */
    final class Backends {
        private static final System.Logger LOG = Logs.get("yastack");

        private Backends() {
        }

        static DpdkPort openDpdk(InterfaceSpec spec, int queues, boolean hardwareRss) {
            List<String> args = new ArrayList<>(spec.ealArgs().isEmpty() ? DEFAULT_EAL_ARGS : spec.ealArgs());
            // EAL runs once per process: a later interface (or an embedding test) reuses it
            DpdkEal eal = DpdkEal.current().orElseGet(() -> DpdkEal.init(args));
            String vdev = spec.vdev();
            String name = vdev.isEmpty() ? spec.device() : vdev.split(",", 2)[0];
            int portId;
            if (!vdev.isEmpty() && !eal.portNames().contains(name)) {
                portId = eal.probe(vdev);
            } else {
                portId = eal.portId(name);
            }
            DpdkPortConfig base = DpdkPortConfig.defaults(queues).withMtu(spec.mtu());
            DpdkPortConfig cfg = new DpdkPortConfig(queues, base.rxDescriptors(), base.txDescriptors(), base.mbufsPerQueue(),
                    base.mbufCache(), base.mtu(), true, hardwareRss && queues > 1);
            try {
                return eal.open(portId, cfg);
            } catch (PacketIoException e) {
                if (queues == 1) throw e;
                // many virtual devices (af_packet without qpairs=N, ring) have one queue pair
                LOG.log(System.Logger.Level.INFO, "dpdk " + name + ": " + queues + " queues refused (" + e.getMessage() + "); using one");
                return eal.open(portId, new DpdkPortConfig(1, cfg.rxDescriptors(), cfg.txDescriptors(), cfg.mbufsPerQueue(),
                        cfg.mbufCache(), cfg.mtu(), true, false));
            }
        }
    }
}
