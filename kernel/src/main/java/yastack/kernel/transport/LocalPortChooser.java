package yastack.kernel.transport;

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
}
