package yastack.kernel.io;

/**
 * One Ethernet port with one or more receive/transmit queue pairs, the common face of every
 * packet I/O backend (DPDK, TAP, in-memory).
 *
 * <p>Threading: each queue is driven by exactly one thread at a time (its worker). The
 * {@link RxBatch} handed to {@link #receiveBurst} and the {@link TxBatch} returned by
 * {@link #newTxBatch} belong to that thread. {@link #stats()}, {@link #queueStats},
 * {@link #linkUp()} may be called from any thread; counters read there are a recent,
 * not an atomic, snapshot.
 *
 * <p>Memory: received frames are views over the backend's own buffers (DPDK mbuf data, a
 * per-batch off-heap area for TAP, the receive ring for the in-memory switch) and stay valid
 * until {@link RxBatch#release()} (or the next {@code receiveBurst} with the same batch).
 * Transmitted frames are written straight into backend buffers obtained from
 * {@link TxBatch#acquire()}. Nothing is allocated per packet on the Java heap and, on DPDK,
 * nothing is called per packet across the FFM boundary: only bursts.
 */
public interface PacketPort extends AutoCloseable {

    /** Most frames one burst moves in either direction. */
    int MAX_BURST = 32;

    /** A name for logs and stats (interface name, DPDK device name, switch endpoint name). */
    String name();

    int queueCount();

    /** This endpoint's own MAC address: the source address for frames the stack sends. */
    MacAddress mac();

    /** Largest IP packet (L3 payload of an Ethernet frame) the port carries. */
    int mtu();

    boolean linkUp();

    /** A batch to receive into; one per polling thread, reusable across queues and bursts. */
    RxBatch newRxBatch();

    /**
     * Receives up to {@link #MAX_BURST} frames from {@code queue} into {@code batch}, first
     * releasing whatever the batch still held. Never blocks.
     *
     * @return the number of frames received (also {@code batch.count()})
     */
    int receiveBurst(int queue, RxBatch batch);

    /** A transmit batch bound to {@code queue}; one per thread that transmits on that queue. */
    TxBatch newTxBatch(int queue);

    /**
     * A file descriptor that becomes readable when {@code queue} has frames, for poll(2) or
     * epoll, or -1 when the backend has none (DPDK polls).
     */
    default int selectableFd(int queue) {
        return -1;
    }

    /** Counters summed over all queues, merged with device-level drop counters if any. */
    PortStats stats();

    PortStats queueStats(int queue);

    /** Stops the port and frees its buffers. Batches of this port must not be used after. */
    @Override
    void close();
}
