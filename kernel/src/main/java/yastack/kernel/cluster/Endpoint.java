package yastack.kernel.cluster;

import java.net.InetSocketAddress;

/** One upstream endpoint of a cluster; shared by every worker. */
public final class Endpoint {
    private final int index;
    private final String host;
    private final int port;
    private final int weight;
    private final InetSocketAddress address;
    private final EndpointHealth health = new EndpointHealth();

    public Endpoint(int index, String host, int port, int weight) {
        this.index = index;
        this.host = host;
        this.port = port;
        this.weight = Math.max(1, weight);
        this.address = InetSocketAddress.createUnresolved(host, port);
    }

    public int index() { return index; }
    public String host() { return host; }
    public int port() { return port; }
    public int weight() { return weight; }
    public EndpointHealth health() { return health; }

    /** Resolved lazily so a name that does not resolve fails the connect (503), not the config. */
    public InetSocketAddress resolve() {
        InetSocketAddress resolved = new InetSocketAddress(address.getHostString(), port);
        return resolved;
    }

    @Override
    public String toString() {
        return host + ":" + port;
    }
}
