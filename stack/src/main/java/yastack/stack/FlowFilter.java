package yastack.stack;

/**
 * Which flows a shard owns when several shards share one interface identity. Called for every TCP/UDP
 * packet before demultiplexing, so implementations must be cheap and allocation-free.
 */
@FunctionalInterface
public interface FlowFilter {
    /** Addresses are IPv4 as ints, ports 0..65535; protocol is 6 (TCP) or 17 (UDP). */
    boolean owns(int protocol, int remoteAddress, int remotePort, int localAddress, int localPort);

    FlowFilter ALL = (p, ra, rp, la, lp) -> true;
}
