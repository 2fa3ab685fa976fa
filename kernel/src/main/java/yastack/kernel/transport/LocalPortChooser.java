package yastack.kernel.transport;

import yastack.kernel.io.rss.RssPortSelector;
import yastack.stack.NetStack;

/**
 * Picks the local port of an outbound userspace connection. The kernel plugs in RSS-aware
 * selection (a port whose return flow hashes to this worker's queue); the default asks the
 * shard for any free ephemeral port its flow filter owns.
 */
@FunctionalInterface
public interface LocalPortChooser {
    /** A free local port on {@code stack} for a connection to remoteAddress:remotePort, or -1 when none is left. */
    int choose(NetStack stack, int remoteAddress, int remotePort);

    LocalPortChooser EPHEMERAL = (stack, addr, port) -> stack.pickEphemeralPort(addr, port, null);

    /**
     * Ephemeral ports whose return flow the NIC (or software RSS) steers to {@code queue}, the
     * queue this shard polls: F-Stack's rss_check, so replies come back to the same worker.
     */
    static LocalPortChooser rssLocal(RssPortSelector rss, int queue) {
        return (stack, addr, port) -> stack.pickEphemeralPort(addr, port,
                p -> rss.queueOfInbound(stack.address(), p, addr, port) == queue);
    }
}
