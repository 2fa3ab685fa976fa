package yastack.kernel.io.dpdk;

/** The device's own counters ({@code rte_eth_stats_get}), as the driver reports them. */
public record DpdkDeviceStats(long ipackets, long opackets, long ibytes, long obytes,
                              long imissed, long ierrors, long oerrors, long rxNoMbuf) {
}
