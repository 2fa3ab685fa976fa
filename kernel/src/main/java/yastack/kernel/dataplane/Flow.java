package yastack.kernel.dataplane;

import yastack.api.FlowKey;

/**
 * The 5-tuple of an inbound IPv4 packet as the distributor sees it (source = the remote
 * peer), plus its symmetric Toeplitz hash. One instance is reused for every packet: a
 * steering policy that keeps a flow must copy it ({@link #copy}).
 */
final class Flow implements FlowKey {
    int protocol;
    int sourceAddress;
    int sourcePort;
    int destinationAddress;
    int destinationPort;
    int hash;

    @Override public int protocol() { return protocol; }
    @Override public int sourceAddress() { return sourceAddress; }
    @Override public int sourcePort() { return sourcePort; }
    @Override public int destinationAddress() { return destinationAddress; }
    @Override public int destinationPort() { return destinationPort; }
    /** Symmetric Toeplitz hash of the 4-tuple (same as a NIC programmed with the 0x6d5a key would compute). */
    @Override public int rssHash() { return hash; }

    Flow set(int protocol, int src, int sport, int dst, int dport, int hash) {
        this.protocol = protocol;
        this.sourceAddress = src;
        this.sourcePort = sport;
        this.destinationAddress = dst;
        this.destinationPort = dport;
        this.hash = hash;
        return this;
    }

    @Override
    public String toString() {
        return protocol + ":" + Ipv4Addresses.text(sourceAddress) + ":" + sourcePort + ">"
                + Ipv4Addresses.text(destinationAddress) + ":" + destinationPort;
    }
}
