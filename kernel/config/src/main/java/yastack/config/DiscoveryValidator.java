package yastack.config;

import com.google.protobuf.util.Durations;
import yastack.api.config.Cluster;
import yastack.api.config.Endpoint;
import yastack.api.config.DiscoveryType;
import yastack.api.config.Drain;

/** Checks on how clusters find their endpoints (static or DNS) and on the drain settings. */
final class DiscoveryValidator {
    private final Findings f;

    DiscoveryValidator(Findings f) {
        this.f = f;
    }

    void cluster(String path, Cluster c) {
        boolean dns = c.getType() == DiscoveryType.STRICT_DNS || c.getType() == DiscoveryType.LOGICAL_DNS;
        if (!dns) {
            for (String field : new String[] {"dns_refresh_rate", "respect_dns_ttl", "dns_lookup_family", "dns_resolvers"}) {
                if (f.written(path + "." + field)) f.error(path + "." + field, "only for type strict_dns or logical_dns");
            }
            return;
        }
        for (int i = 0; i < c.getEndpointsCount(); i++) {
            if (c.getEndpoints(i).getHealthStatus() != Endpoint.HealthStatus.UNKNOWN) {
                f.error(path + ".endpoints[" + i + "].health_status", "only for static and EDS endpoints (a DNS answer's addresses have no status)");
            }
        }
        if (c.getType() == DiscoveryType.LOGICAL_DNS && c.getEndpointsCount() > 1) {
            f.error(path + ".endpoints", "a logical_dns cluster has exactly one endpoint (one name), got " + c.getEndpointsCount());
        }
        f.positive(path + ".dns_refresh_rate", c.hasDnsRefreshRate(), c.getDnsRefreshRate());
        for (int i = 0; i < c.getDnsResolversCount(); i++) {
            String r = c.getDnsResolvers(i);
            if (NetText.ipLiteral(r) != null) continue;
            int colon = r.lastIndexOf(':');
            String host = colon < 0 ? r : r.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
            else if (host.indexOf(':') >= 0) host = ""; // an IPv6 address with a port needs brackets
            String port = colon < 0 ? "53" : r.substring(colon + 1);
            if (NetText.ipLiteral(host) == null || !port.matches("\\d{1,5}") || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
                f.error(path + ".dns_resolvers[" + i + "]", "'" + r + "' is not a resolver address: give ip, ip:port or [ipv6]:port");
            }
        }
    }

    void drain(String path, Drain d) {
        f.nonNegative(path + ".delay", d.hasDelay(), d.getDelay());
        f.positive(path + ".timeout", d.hasTimeout(), d.getTimeout());
        long delay = d.hasDelay() ? Durations.toMillis(d.getDelay()) : 0;
        long timeout = d.hasTimeout() ? Durations.toMillis(d.getTimeout()) : 30_000;
        if (delay > timeout) {
            f.error(path + (d.hasTimeout() ? ".timeout" : ".delay"), "the drain timeout (" + timeout + " ms) must be at least its delay ("
                    + delay + " ms): listeners accept for the delay, and the timeout counts from the drain's start");
        }
    }
}
