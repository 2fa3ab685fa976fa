package yastack.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import yastack.api.config.Bootstrap;
import yastack.api.config.DiscoveryType;
import yastack.api.config.Cluster.DnsLookupFamily;

/** DNS clusters and drain settings: what is accepted, and bad values named by field and line. */
class DiscoveryConfigErrorsTest extends ConfigErrorAssertions {
    @Test
    void dnsClusterFieldsAreRead() throws ConfigException {
        Bootstrap b = ConfigLoader.parse("""
                drain: {delay: 5s, timeout: 20s}
                clusters:
                  - name: api
                    type: strict_dns
                    dns_refresh_rate: 2s
                    respect_dns_ttl: true
                    dns_lookup_family: v4_only
                    dns_resolvers: ["127.0.0.53", "127.0.0.54:5353", "[::1]:53"]
                    endpoints: [{address: api.internal, port: 8080}]
                """, dir, () -> true).bootstrap();
        var c = b.getClusters(0);
        assertEquals(DiscoveryType.STRICT_DNS, c.getType());
        assertEquals(DnsLookupFamily.V4_ONLY, c.getDnsLookupFamily());
        assertEquals(2, c.getDnsRefreshRate().getSeconds());
        assertEquals(List.of("127.0.0.53", "127.0.0.54:5353", "[::1]:53"), c.getDnsResolversList());
        assertEquals(5, b.getDrain().getDelay().getSeconds());
    }

    @Test
    void logicalDnsTakesOneName() {
        assertError(single("""
                clusters:
                  - name: api
                    type: logical_dns
                    endpoints:
                      - {address: a.internal, port: 80}
                      - {address: b.internal, port: 80}
                """), "clusters[0].endpoints", 4, "exactly one endpoint");
    }

    @Test
    void dnsSettingsOnAStaticClusterAreAMistake() {
        assertError(single("""
                clusters:
                  - name: api
                    dns_refresh_rate: 1s
                    endpoints: [{address: 10.0.0.1, port: 80}]
                """), "clusters[0].dns_refresh_rate", 3, "only for type strict_dns or logical_dns");
    }

    @Test
    void badResolversAndRefreshRate() {
        List<ConfigError> es = errors("""
                clusters:
                  - name: api
                    type: strict_dns
                    dns_refresh_rate: 0s
                    dns_resolvers: ["dns.example", "127.0.0.1:70000", "10.0.0.1:dns"]
                    endpoints: [{address: api.internal, port: 80}]
                """);
        assertEquals(4, es.size(), es::toString);
        assertError(es.get(0), "clusters[0].dns_refresh_rate", 4, "must be greater than 0");
        assertError(es.get(1), "clusters[0].dns_resolvers[0]", 5, "'dns.example' is not a resolver address");
        assertError(es.get(2), "clusters[0].dns_resolvers[1]", 5, "'127.0.0.1:70000' is not a resolver address");
        assertError(es.get(3), "clusters[0].dns_resolvers[2]", 5, "'10.0.0.1:dns' is not a resolver address");
    }

    @Test
    void unknownClusterTypeNamesTheChoices() {
        ConfigError e = single("""
                clusters:
                  - name: api
                    type: eds
                    endpoints: [{address: 10.0.0.1, port: 80}]
                """);
        assertEquals("clusters[0].type", e.path());
        assertEquals(3, e.line());
    }

    @Test
    void drainTimeoutMustCoverTheDelay() {
        assertError(single("""
                drain:
                  delay: 40s
                """), "drain.delay", 2, "must be at least its delay");
        assertError(single("""
                drain:
                  delay: 10s
                  timeout: 5s
                """), "drain.timeout", 3, "must be at least its delay");
    }
}
