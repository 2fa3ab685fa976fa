package yastack.kernel.io.dpdk;

/**
 * How to set up a DPDK port.
 *
 * @param queues        receive/transmit queue pairs (one per worker for hardware RSS)
 * @param rxDescriptors receive ring size per queue (the driver may adjust it)
 * @param txDescriptors transmit ring size per queue (the driver may adjust it)
 * @param mbufsPerQueue mbufs in each queue's own pool (a power of two minus one is best)
 * @param mbufCache     per-lcore mbuf cache; only threads registered with EAL use it
 * @param mtu           MTU to set, or 0 to keep the driver's
 * @param promiscuous   receive frames for any destination MAC
 * @param rss           spread flows over queues with a symmetric Toeplitz key when the driver can
 */
public record DpdkPortConfig(int queues, int rxDescriptors, int txDescriptors, int mbufsPerQueue,
                             int mbufCache, int mtu, boolean promiscuous, boolean rss) {
    public DpdkPortConfig {
        if (queues < 1 || queues > 1024) {
            throw new IllegalArgumentException("queues must be 1..1024: " + queues);
        }
        if (rxDescriptors < 1 || txDescriptors < 1 || rxDescriptors > 65535 || txDescriptors > 65535) {
            throw new IllegalArgumentException("descriptor counts must be 1..65535");
        }
        if (mbufsPerQueue < rxDescriptors + 2 * 32) {
            throw new IllegalArgumentException("mbufsPerQueue (" + mbufsPerQueue
                    + ") must cover the receive ring (" + rxDescriptors + ") plus bursts in flight");
        }
        if (mbufCache < 0 || mbufCache > 512) {
            throw new IllegalArgumentException("mbufCache must be 0..512: " + mbufCache);
        }
        if (mtu != 0 && (mtu < 68 || mtu > 65535)) {
            throw new IllegalArgumentException("mtu must be 0 or 68..65535: " + mtu);
        }
    }

    /** 1024-descriptor rings, 4095 mbufs per queue, promiscuous, RSS when more than one queue. */
    public static DpdkPortConfig defaults(int queues) {
        return new DpdkPortConfig(queues, 1024, 1024, 4095, 256, 0, true, true);
    }

    public DpdkPortConfig withMtu(int m) {
        return new DpdkPortConfig(queues, rxDescriptors, txDescriptors, mbufsPerQueue, mbufCache, m, promiscuous, rss);
    }

    public DpdkPortConfig withRings(int rx, int tx, int mbufs) {
        return new DpdkPortConfig(queues, rx, tx, mbufs, mbufCache, mtu, promiscuous, rss);
    }
}
