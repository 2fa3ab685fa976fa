package yastack.proxy.cluster;

import java.net.InetSocketAddress;

/** One upstream endpoint of a cluster; shared by every worker. */
public final class Endpoint {
    private final int index;
    private final String host;
    private final int port;
    private final int weight;
    private final InetSocketAddress literal;
    private final EndpointHealth health;

    public Endpoint(int index, String host, int port, int weight) {
        this(index, host, port, weight, new EndpointHealth());
    }

    /** With the health an earlier version of the cluster knew for the same address (a reload keeps it). */
    public Endpoint(int index, String host, int port, int weight, EndpointHealth health) {
        this.health = health;
        this.index = index;
        this.host = host;
        this.port = port;
        this.weight = Math.max(1, weight);
        // An IP literal needs no lookup: build its address once instead of per connect.
        this.literal = isIpLiteral(host) ? new InetSocketAddress(host, port) : null;
    }

    public int index() { return index; }
    public String host() { return host; }
    public int port() { return port; }
    public int weight() { return weight; }
    public EndpointHealth health() { return health; }

    /** Whether {@code other} is the same upstream (address and port). */
    public boolean sameAddress(Endpoint other) {
        return host.equals(other.host) && port == other.port;
    }

    /** Host names resolve at connect time, so a name that does not resolve fails the connect (503), not the config. */
    public InetSocketAddress resolve() {
        return literal != null ? literal : new InetSocketAddress(host, port);
    }

    private static boolean isIpLiteral(String host) {
        return host.matches("[0-9.]+") || host.indexOf(':') >= 0;
    }

    @Override
    public String toString() {
        return host + ":" + port;
    }
}
