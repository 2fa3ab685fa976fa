package yastack.api;

/**
 * The 5-tuple of an IPv4 flow as seen on the wire by the distributor (source =
 * the packet's sender), with the flow's RSS hash. Addresses are big-endian ints
 * ({@code 10.0.0.1} is {@code 0x0A000001}). An interface so the distributor can
 * hand out one reused flyweight per packet; {@link #copy} makes an immutable key
 * suitable for maps.
 */
public interface FlowKey {
    /** IP protocol number: 6 TCP, 17 UDP. */
    int protocol();

    int sourceAddress();

    int sourcePort();

    int destinationAddress();

    int destinationPort();

    /**
     * The flow's symmetric Toeplitz hash, as a NIC's receive-side scaling computes it (the
     * same for both directions of a connection); the distributor has computed it already, so
     * a policy that spreads flows by hash needs no hashing of its own.
     */
    int rssHash();

    /** An immutable copy (with value equality). */
    default Ipv4 copy() {
        return new Ipv4(protocol(), sourceAddress(), sourcePort(), destinationAddress(), destinationPort(), rssHash());
    }

    /** The same flow seen from the other direction (a symmetric hash is the same both ways). */
    default Ipv4 reversed() {
        return new Ipv4(protocol(), destinationAddress(), destinationPort(), sourceAddress(), sourcePort(), rssHash());
    }

    /** An immutable flow key. */
    record Ipv4(int protocol, int sourceAddress, int sourcePort, int destinationAddress, int destinationPort, int rssHash)
            implements FlowKey {
        /** A key whose hash is not known (0): for tests and for flows a policy made up itself. */
        public Ipv4(int protocol, int sourceAddress, int sourcePort, int destinationAddress, int destinationPort) {
            this(protocol, sourceAddress, sourcePort, destinationAddress, destinationPort, 0);
        }

        @Override
        public Ipv4 copy() {
            return this;
        }
    }
}
