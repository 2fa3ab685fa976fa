package yastack.proxy.cluster;

import java.net.InetAddress;
import java.net.InetSocketAddress;

/** One upstream endpoint of a cluster; shared by every worker. */
public final class Endpoint {
    private final int index;
    private final String host;
    private final String hostname;
    private final int port;
    private final int weight;
    private final int priority;
    private volatile InetSocketAddress literal;
    private final EndpointHealth health;
    private final EndpointStats stats = new EndpointStats();

    public Endpoint(int index, String host, int port, int weight) {
        this(index, host, port, weight, host, new EndpointHealth());
    }

    /**
     * An endpoint DNS found: {@code host} is the address, {@code hostname} the name it was
     * found under (TLS verifies that), and {@code health} what it had under the last answer.
     */
    public Endpoint(int index, String host, int port, int weight, String hostname, EndpointHealth health) {
        this(index, host, port, weight, 0, hostname, health);
    }

    /** As above, at priority level {@code priority} (0 first). */
    public Endpoint(int index, String host, int port, int weight, int priority, String hostname, EndpointHealth health) {
        this.index = index;
        this.priority = priority;
        this.host = host;
        this.hostname = hostname;
        this.port = port;
        this.weight = Math.max(1, weight);
        this.health = health;
        // An IP literal needs no lookup: build its address once instead of per connect.
        this.literal = isIpLiteral(host) ? new InetSocketAddress(host, port) : null;
    }

    public int index() { return index; }
    /** The address (or name) as configured or found; what balancers and the admin API see. */
    public String host() { return host; }
    /** The name TLS checks the upstream's certificate against (and sends as SNI unless the cluster sets one). */
    public String hostname() { return hostname; }
    public int port() { return port; }
    public int weight() { return weight; }
    public int priority() { return priority; }
    public EndpointHealth health() { return health; }
    public EndpointStats stats() { return stats; }

    /**
     * A logical_dns endpoint's new address: new connections go there, open ones stay where
     * they are (Envoy's logical DNS).
     */
    public void resolvedTo(InetAddress address) {
        literal = new InetSocketAddress(address, port);
    }

    /** The IP new connections go to, or the name when it is only looked up at connect time. */
    public String connectHost() {
        InetSocketAddress a = literal;
        return a != null ? a.getAddress().getHostAddress() : host;
    }

    /**
     * The endpoint as an HTTP authority (host [":" port], RFC 9110 7.2), the port left out when
     * it is the scheme's default: the Host a request gets when the client's had none.
     */
    public String authority(boolean tls) {
        String name = hostname.indexOf(':') >= 0 ? "[" + hostname + "]" : hostname;
        return port == (tls ? 443 : 80) ? name : name + ":" + port;
    }

    /** Whether {@code other} is the same upstream (address and port). */
    public boolean sameAddress(Endpoint other) {
        return host.equals(other.host) && port == other.port;
    }

    /** Host names resolve at connect time, so a name that does not resolve fails the connect (503), not the config. */
    public InetSocketAddress resolve() {
        InetSocketAddress a = literal;
        return a != null ? a : new InetSocketAddress(host, port);
    }

    private static boolean isIpLiteral(String host) {
        return host.matches("[0-9.]+") || host.indexOf(':') >= 0;
    }

    @Override
    public String toString() {
        return hostname.equals(host) ? host + ":" + port : hostname + "(" + host + "):" + port;
    }
}
