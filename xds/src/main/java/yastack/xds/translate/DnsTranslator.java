package yastack.xds.translate;

import static yastack.xds.translate.Fields.child;
import static yastack.xds.translate.Fields.element;
import static yastack.xds.translate.Fields.only;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.extensions.network.dns_resolver.cares.v3.CaresDnsResolverConfig;
import java.util.List;
import yastack.api.config.DiscoveryType;

/**
 * The DNS side of Envoy's {@code STRICT_DNS} and {@code LOGICAL_DNS} clusters as ours: the
 * names to resolve are the {@code load_assignment}'s socket addresses; {@code dns_refresh_rate},
 * {@code respect_dns_ttl} and {@code dns_lookup_family} map one to one; the resolvers come from
 * {@code typed_dns_resolver_config} (c-ares' {@code resolvers}), else
 * {@code dns_resolution_config.resolvers}, else the deprecated {@code dns_resolvers}, as Envoy
 * picks them; none: the machine's {@code /etc/resolv.conf}.
 */
final class DnsTranslator {
    static final String CARES = "type.googleapis.com/envoy.extensions.network.dns_resolver.cares.v3.CaresDnsResolverConfig";

    private DnsTranslator() {}

    @SuppressWarnings("deprecation") // dns_resolvers and dns_resolution_config: deprecated, still what control planes send
    static void translate(Cluster c, yastack.api.config.Cluster.Builder out) throws Rejection {
        out.setType(c.getType() == Cluster.DiscoveryType.STRICT_DNS ? DiscoveryType.STRICT_DNS : DiscoveryType.LOGICAL_DNS);
        if (c.hasEdsClusterConfig()) throw new Rejection("eds_cluster_config", "is for type EDS");
        if (!c.hasLoadAssignment()) throw new Rejection("load_assignment", "a " + c.getType() + " cluster names its hosts here");
        var endpoints = EndpointTranslator.translate(c.getLoadAssignment(), "load_assignment");
        if (c.getType() == Cluster.DiscoveryType.LOGICAL_DNS && endpoints.size() != 1) {
            throw new Rejection("load_assignment.endpoints", "a LOGICAL_DNS cluster has exactly one endpoint (one name), got " + endpoints.size());
        }
        out.addAllEndpoints(endpoints);
        if (c.hasDnsRefreshRate()) out.setDnsRefreshRate(c.getDnsRefreshRate());
        out.setRespectDnsTtl(c.getRespectDnsTtl());
        out.setDnsLookupFamily(switch (c.getDnsLookupFamily()) {
            case AUTO -> yastack.api.config.Cluster.DnsLookupFamily.AUTO;
            case V4_ONLY -> yastack.api.config.Cluster.DnsLookupFamily.V4_ONLY;
            case V6_ONLY -> yastack.api.config.Cluster.DnsLookupFamily.V6_ONLY;
            case V4_PREFERRED -> yastack.api.config.Cluster.DnsLookupFamily.V4_PREFERRED;
            case ALL -> yastack.api.config.Cluster.DnsLookupFamily.ALL;
            default -> throw new Rejection("dns_lookup_family", "unknown value " + c.getDnsLookupFamilyValue());
        });
        if (c.hasTypedDnsResolverConfig()) {
            var t = c.getTypedDnsResolverConfig();
            String p = "typed_dns_resolver_config.typed_config";
            if (!t.getTypedConfig().getTypeUrl().equals(CARES)) {
                throw new Rejection(p, "only envoy.network.dns_resolver.cares (CaresDnsResolverConfig) is supported, got "
                        + t.getTypedConfig().getTypeUrl());
            }
            CaresDnsResolverConfig cares = ListenerTranslator.unpack(t.getTypedConfig(), CaresDnsResolverConfig.class, p);
            only(cares, p, "resolvers");
            resolvers(cares.getResolversList(), child(p, "resolvers"), out);
        } else if (c.hasDnsResolutionConfig()) {
            only(c.getDnsResolutionConfig(), "dns_resolution_config", "resolvers");
            resolvers(c.getDnsResolutionConfig().getResolversList(), "dns_resolution_config.resolvers", out);
        } else {
            resolvers(c.getDnsResolversList(), "dns_resolvers", out);
        }
    }

    /** Each resolver as {@code ip:port} ({@code [ip6]:port}); port 0 is DNS' 53. */
    private static void resolvers(List<Address> addresses, String path, yastack.api.config.Cluster.Builder out) throws Rejection {
        for (int i = 0; i < addresses.size(); i++) {
            String p = element("", path, i);
            Address a = addresses.get(i);
            only(a, p, "socket_address");
            SocketAddress s = a.getSocketAddress();
            String sp = child(p, "socket_address");
            only(s, sp, "address", "port_value", "protocol");
            if (s.getProtocol() != SocketAddress.Protocol.UDP && s.getProtocol() != SocketAddress.Protocol.TCP) {
                throw new Rejection(child(sp, "protocol"), "unknown protocol " + s.getProtocolValue());
            }
            int port = s.getPortValue() == 0 ? 53 : s.getPortValue();
            String host = s.getAddress().indexOf(':') >= 0 ? "[" + s.getAddress() + "]" : s.getAddress();
            out.addDnsResolvers(host + ":" + port);
        }
    }
}
