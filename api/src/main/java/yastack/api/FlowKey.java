package yastack.api;

/**
 * The 5-tuple of an IPv4 flow as seen on the wire by the distributor (source =
 * the packet's sender). Addresses are big-endian ints ({@code 10.0.0.1} is
 * {@code 0x0A000001}). An interface so the distributor can hand out one reused
 * flyweight per packet; {@link #copy} makes an immutable key suitable for maps.
 */
public interface FlowKey {
    /** IP protocol number: 6 TCP, 17 UDP. */
    int protocol();

    int sourceAddress();

    int sourcePort();

    int destinationAddress();

    int destinationPort();

    /** An immutable copy (with value equality). */
    default Ipv4 copy() {
        return new Ipv4(protocol(), sourceAddress(), sourcePort(), destinationAddress(), destinationPort());
    }

    /** The same flow seen from the other direction. */
    default Ipv4 reversed() {
        return new Ipv4(protocol(), destinationAddress(), destinationPort(), sourceAddress(), sourcePort());
    }

    /** An immutable flow key. */
    record Ipv4(int protocol, int sourceAddress, int sourcePort, int destinationAddress, int destinationPort)
            implements FlowKey {
        @Override
        public Ipv4 copy() {
            return this;
        }
    }
}
