package yastack.kernel.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each bad config names the exact field path and line. Text blocks start at line 1. */
class ConfigErrorsTest {
    @TempDir
    Path dir;

    private List<ConfigError> errors(String yaml) {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(yaml, dir, () -> true));
        return e.errors();
    }

    private ConfigError single(String yaml) {
        List<ConfigError> errors = errors(yaml);
        assertEquals(1, errors.size(), () -> "expected one error, got:\n" + errors.stream().map(Object::toString).reduce("", (a, b) -> a + b + "\n"));
        return errors.getFirst();
    }

    private static void assertError(ConfigError e, String path, int line, String messagePart) {
        assertEquals(path, e.path(), e::toString);
        assertEquals(line, e.line(), e::toString);
        assertTrue(e.message().contains(messagePart), () -> "'" + e.message() + "' should contain '" + messagePart + "'");
    }

    @Test
    void unknownFieldSuggestsTheCloseName() {
        ConfigError e = single("""
                listeners:
                  - name: web
                    adress: 0.0.0.0
                    port: 80
                    tcp: {cluster: c}
                clusters: [{name: c, endpoints: [{address: 127.0.0.1, port: 1}]}]
                """);
        assertError(e, "listeners[0].adress", 3, "unknown field 'adress'; did you mean 'address'?");
    }

    @Test
    void typosWithSwappedLettersOrAMissingLetterAreRecognised() {
        List<ConfigError> es = errors("""
                listener: []
                clusters:
                  - naem: c
                """);
        assertEquals(2, es.size(), es::toString);
        assertError(es.get(0), "listener", 1, "unknown field 'listener'; did you mean 'listeners'?");
        assertError(es.get(1), "clusters[0].naem", 3, "unknown field 'naem'; did you mean 'name'?");
    }

    @Test
    void emptySectionsStillCount() {
        assertError(single("""
                listeners:
                  - name: web
                    port: 80
                    http:
                """), "listeners[0].http", 4, "needs one of route_config or router");
    }

    @Test
    void steeringShorthandAndScriptAreExclusive() throws java.io.IOException {
        java.nio.file.Files.writeString(dir.resolve("s.js"), "");
        assertError(single("""
                stack:
                  rss:
                    steering: {plugin: toeplitz, script: s.js}
                """), "stack.rss.steering", 3, "has plugin and script; give exactly one of plugin or script");
    }

    @Test
    void unknownFieldWithNothingCloseListsTheValidOnes() {
        ConfigError e = single("""
                admin:
                  bogus: 1
                """);
        assertError(e, "admin.bogus", 2, "unknown field 'bogus'; valid fields here: address, port");
    }

    @Test
    void wrongTypes() {
        List<ConfigError> es = errors("""
                listeners:
                  - name: web
                    port: eighty
                    http:
                      route_config:
                        virtual_hosts:
                          - domains: "*"
                            routes: {}
                """);
        assertEquals(3, es.size(), es::toString);
        assertError(es.get(0), "listeners[0].port", 3, "expected an integer, got string 'eighty'");
        assertError(es.get(1), "listeners[0].http.route_config.virtual_hosts[0].domains", 7, "expected a list, got string '*'");
        assertError(es.get(2), "listeners[0].http.route_config.virtual_hosts[0].routes", 8, "expected a list, got a mapping");
    }

    @Test
    void portOutOfRange() {
        List<ConfigError> es = errors("""
                listeners:
                  - name: web
                    port: 70000
                    tcp: {cluster: c}
                clusters:
                  - name: c
                    endpoints:
                      - {address: 127.0.0.1}
                """);
        assertEquals(2, es.size(), es::toString);
        assertError(es.get(0), "listeners[0].port", 3, "must be 1..65535, got 70000");
        assertError(es.get(1), "clusters[0].endpoints[0].port", 8, "must be 1..65535 (a port is required)");
    }

    @Test
    void negativeNumberForUnsignedField() {
        assertError(single("""
                admin: {port: -1}
                """), "admin.port", 1, "must be an integer in 0..4294967295, got -1");
    }

    @Test
    void badDuration() {
        List<ConfigError> es = errors("""
                clusters:
                  - name: c
                    connect_timeout: 5
                    idle_timeout: 5 seconds
                    endpoints: [{address: 127.0.0.1, port: 1}]
                """);
        assertEquals(2, es.size(), es::toString);
        assertError(es.get(0), "clusters[0].connect_timeout", 3, "(missing unit)");
        assertError(es.get(1), "clusters[0].idle_timeout", 4, "expected a duration such as 5s");
    }

    @Test
    void negativeTimeout() {
        assertError(single("""
                listeners:
                  - {name: t, port: 1, tcp: {cluster: c, idle_timeout: -2s}}
                clusters: [{name: c, endpoints: [{address: 127.0.0.1, port: 1}]}]
                """), "listeners[0].tcp.idle_timeout", 2, "must not be negative");
    }

    @Test
    void unknownClusterInRouteAndTcpProxy() {
        List<ConfigError> es = errors("""
                listeners:
                  - name: web
                    port: 80
                    http:
                      route_config:
                        virtual_hosts:
                          - domains: ["*"]
                            routes:
                              - route: {cluster: nope}
                              - route: {weighted_clusters: [{name: c, weight: 1}, {name: gone, weight: 1}]}
                  - {name: l4, port: 81, tcp: {cluster: missing}}
                clusters: [{name: c, endpoints: [{address: 127.0.0.1, port: 1}]}]
                """);
        assertEquals(3, es.size(), es::toString);
        String routes = "listeners[0].http.route_config.virtual_hosts[0].routes";
        assertError(es.get(0), routes + "[0].route.cluster", 9, "unknown cluster 'nope'");
        assertError(es.get(1), routes + "[1].route.weighted_clusters[1].name", 10, "unknown cluster 'gone'");
        assertError(es.get(2), "listeners[1].tcp.cluster", 11, "unknown cluster 'missing'");
    }

    @Test
    void duplicateListenerNameIsReportedAtTheSecond() {
        assertError(single("""
                listeners:
                  - {name: web, port: 80, tcp: {cluster: c}}
                  - name: web
                    port: 81
                    tcp: {cluster: c}
                clusters: [{name: c, endpoints: [{address: 127.0.0.1, port: 1}]}]
                """), "listeners[1].name", 3, "duplicate listener name 'web' (first used by listeners[0])");
    }

    @Test
    void duplicateClusterName() {
        assertError(single("""
                clusters:
                  - {name: c, endpoints: [{address: 127.0.0.1, port: 1}]}
                  - {name: d, endpoints: [{address: 127.0.0.1, port: 1}]}
                  - {name: c, endpoints: [{address: 127.0.0.1, port: 2}]}
                """), "clusters[2].name", 4, "duplicate cluster name 'c'");
    }

    @Test
    void missingNames() {
        List<ConfigError> es = errors("""
                listeners: [{port: 80, tcp: {cluster: c}}]
                clusters: [{name: c, endpoints: [{address: 127.0.0.1, port: 1}]}, {endpoints: [{address: "::1", port: 1}]}]
                """);
        assertEquals(2, es.size(), es::toString);
        assertError(es.get(0), "listeners[0].name", 1, "a listener name is required");
        assertError(es.get(1), "clusters[1].name", 2, "a cluster name is required");
    }

    @Test
    void badRegexReportsTheRegexError() {
        assertError(single("""
                listeners:
                  - name: web
                    port: 80
                    http:
                      route_config:
                        virtual_hosts:
                          - domains: ["*"]
                            routes:
                              - match:
                                  regex: "^/v[0-9+/"
                                direct_response: {status: 404}
                """), "listeners[0].http.route_config.virtual_hosts[0].routes[0].match.regex", 10,
                "invalid regex '^/v[0-9+/': Unclosed character class");
    }

    @Test
    void clusterWithoutEndpoints() {
        assertError(single("""
                clusters:
                  - name: empty
                    lb_policy: random
                """), "clusters[0].endpoints", 2, "a cluster needs at least one endpoint");
    }

    @Test
    void listenerWithBothHttpAndTcp() {
        assertError(single("""
                listeners:
                  - name: both
                    port: 80
                    tcp: {cluster: c}
                    http: {router: {plugin: r}}
                clusters: [{name: c, endpoints: [{address: 127.0.0.1, port: 1}]}]
                """), "listeners[0]", 2, "has http and tcp; give exactly one of http or tcp");
    }

    @Test
    void listenerWithNeitherHttpNorTcp() {
        assertError(single("""
                listeners: [{name: idle, port: 80}]
                """), "listeners[0]", 1, "needs one of http or tcp");
    }

    @Test
    void routeWithTwoActions() {
        assertError(single("""
                listeners:
                  - name: web
                    port: 80
                    http:
                      route_config:
                        virtual_hosts:
                          - domains: ["*"]
                            routes:
                              - match: {prefix: /}
                                direct_response: {status: 200}
                              - match: {prefix: /x}
                                direct_response: {status: 200}
                                redirect: {path: /y}
                """), "listeners[0].http.route_config.virtual_hosts[0].routes[1]", 11,
                "has direct_response and redirect; give exactly one of route, direct_response or redirect");
    }

    @Test
    void badEnumValues() {
        List<ConfigError> es = errors("""
                listeners:
                  - {name: web, port: 80, flavor: kernel, tcp: {cluster: c}}
                clusters:
                  - name: c
                    lb_policy: fastest
                    endpoints: [{address: 127.0.0.1, port: 1}]
                """);
        assertEquals(2, es.size(), es::toString);
        assertError(es.get(0), "listeners[0].flavor", 2, "unknown value 'kernel'; expected one of host, userspace");
        assertError(es.get(1), "clusters[0].lb_policy", 5,
                "unknown value 'fastest'; expected one of round_robin, least_request, random, ring_hash, maglev");
    }

    @Test
    void badRedirectCodeAndStatus() {
        List<ConfigError> es = errors("""
                listeners:
                  - name: web
                    port: 80
                    http:
                      route_config:
                        virtual_hosts:
                          - domains: [example.com, "*.example.org", "api.*", "example.com:8080"]
                            routes:
                              - redirect: {path: /new, code: 305}
                              - direct_response: {status: 99}
                              - redirect: {host: example.net}
                """);
        assertEquals(2, es.size(), es::toString);
        String routes = "listeners[0].http.route_config.virtual_hosts[0].routes";
        assertError(es.get(0), routes + "[0].redirect.code", 9, "must be one of 301, 302, 303, 307, 308, got 305");
        assertError(es.get(1), routes + "[1].direct_response.status", 10, "must be an HTTP status 100..599, got 99");
    }

    @Test
    void userspaceWithoutStack() {
        List<ConfigError> es = errors("""
                listeners:
                  - {name: u, port: 80, flavor: userspace, tcp: {cluster: c}}
                clusters:
                  - name: c
                    flavor: userspace
                    endpoints: [{address: 10.0.0.1, port: 1}]
                """);
        assertEquals(2, es.size(), es::toString);
        assertError(es.get(0), "listeners[0].flavor", 2, "flavor userspace needs a stack: section with an interface");
        assertError(es.get(1), "clusters[0].flavor", 5, "flavor userspace needs a stack: section with an interface");
    }

    @Test
    void userspaceListenerMustUseAnInterfaceAddress() {
        assertError(single("""
                stack:
                  interfaces: [{backend: tap, ip: 10.9.0.2/24}]
                listeners:
                  - name: u
                    address: 10.9.0.3
                    port: 80
                    flavor: userspace
                    tcp: {cluster: c}
                clusters: [{name: c, endpoints: [{address: 10.9.0.1, port: 1}]}]
                """), "listeners[0].address", 5, "a userspace listener must listen on 0.0.0.0 or an interface address (10.9.0.2)");
    }

    @Test
    void badInterfaces() {
        List<ConfigError> es = errors("""
                stack:
                  interfaces:
                    - name: a
                      backend: tap
                      ip: 10.0.0.300/24
                    - name: b
                      backend: tap
                      ip: 10.0.0.2
                    - name: c
                      backend: tap
                      ip: 10.0.1.2/24
                      gateway: 10.0.2.1
                      mtu: 10000
                    - name: d
                      backend: netmap
                      ip: 10.0.3.0/24
                """);
        assertEquals(6, es.size(), es::toString);
        assertError(es.get(0), "stack.interfaces[0].ip", 5, "'10.0.0.300' is not an IPv4 address");
        assertError(es.get(1), "stack.interfaces[1].ip", 8, "must be an IPv4 address with a prefix length");
        assertError(es.get(2), "stack.interfaces[2].gateway", 12, "gateway 10.0.2.1 is outside the interface subnet 10.0.1.2/24");
        assertError(es.get(3), "stack.interfaces[2].mtu", 13, "must be 68..9000, got 10000");
        assertError(es.get(4), "stack.interfaces[3].backend", 15, "must be dpdk or tap, got 'netmap'");
        assertError(es.get(5), "stack.interfaces[3].ip", 16, "is the network address of its subnet");
    }

    @Test
    void dpdkBackendWithoutDpdkInstalled() {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse("""
                stack:
                  interfaces:
                    - {name: p0, backend: dpdk, ip: 10.0.0.2/24}
                """, dir, () -> false));
        assertEquals(1, e.errors().size());
        assertError(e.errors().getFirst(), "stack.interfaces[0].backend", 3,
                "install it with: apt-get install -y dpdk libdpdk-dev");
    }

    @Test
    void stackModes() {
        List<ConfigError> es = errors("""
                stack:
                  idle: sleepy
                  rss: {mode: magic}
                """);
        assertEquals(2, es.size(), es::toString);
        assertError(es.get(0), "stack.idle", 2, "must be adaptive or busy, got 'sleepy'");
        assertError(es.get(1), "stack.rss.mode", 3, "must be hardware or software, got 'magic'");
    }

    @Test
    void yamlSyntaxErrorHasLineAndColumn() {
        ConfigError e = single("""
                listeners:
                  - name: web
                    port: 80
                   bad: [1, 2
                """);
        assertEquals("", e.path());
        assertEquals(4, e.line(), e::toString);
        assertTrue(e.message().startsWith("YAML syntax error: "), e::toString);
        assertTrue(e.message().contains(" at column 4"), e::toString);
    }

    @Test
    void emptyConfig() {
        assertError(single(""), "", 0, "the config is empty");
        assertError(single("# only a comment\n"), "", 0, "the config is empty");
    }

    @Test
    void rootMustBeAMapping() {
        assertError(single("- a\n- b\n"), "", 1, "expected a mapping, got a list");
    }

    @Test
    void fieldWrittenTwice() {
        assertError(single("""
                admin:
                  port: 9000
                  port: 9001
                """), "admin.port", 3, "field written twice");
    }

    @Test
    void domainsArePatternsAndUniquePerListener() {
        List<ConfigError> es = errors("""
                listeners:
                  - name: web
                    port: 80
                    http:
                      route_config:
                        virtual_hosts:
                          - name: a
                            domains: [example.com, "foo.*.com"]
                            routes: [{direct_response: {status: 200}}]
                          - name: b
                            domains: [EXAMPLE.com]
                            routes: [{direct_response: {status: 200}}]
                          - name: c
                            domains: []
                """);
        assertEquals(3, es.size(), es::toString);
        String vhosts = "listeners[0].http.route_config.virtual_hosts";
        assertError(es.get(0), vhosts + "[0].domains[1]", 8, "'foo.*.com' is not a domain pattern");
        assertError(es.get(1), vhosts + "[1].domains[0]", 11, "domain 'EXAMPLE.com' is already used by virtual_hosts[0]");
        assertError(es.get(2), vhosts + "[2].domains", 14, "a virtual host needs at least one domain");
    }

    @Test
    void matchRules() {
        List<ConfigError> es = errors("""
                listeners:
                  - name: web
                    port: 80
                    http:
                      route_config:
                        virtual_hosts:
                          - domains: ["*"]
                            routes:
                              - match: {prefix: /a, path: /b}
                                direct_response: {status: 200}
                              - match: {prefix: "a/"}
                                direct_response: {status: 200}
                              - match:
                                  headers:
                                    - {name: "bad header", exact: x}
                                    - {name: x-a, exact: x, present: true}
                                direct_response: {status: 200}
                """);
        assertEquals(4, es.size(), es::toString);
        String routes = "listeners[0].http.route_config.virtual_hosts[0].routes";
        assertError(es.get(0), routes + "[0].match", 9, "has prefix and path; give at most one of prefix, path or regex");
        assertError(es.get(1), routes + "[1].match.prefix", 11, "must start with /");
        assertError(es.get(2), routes + "[2].match.headers[0].name", 15, "'bad header' is not a valid header name");
        assertError(es.get(3), routes + "[2].match.headers[1]", 16, "has exact and present; give at most one of");
    }

    @Test
    void weightedClustersAndActions() {
        List<ConfigError> es = errors("""
                listeners:
                  - name: web
                    port: 80
                    http:
                      route_config:
                        virtual_hosts:
                          - domains: ["*"]
                            routes:
                              - route: {weighted_clusters: [{name: c, weight: 0}]}
                              - route: {cluster: c, weighted_clusters: [{name: c, weight: 1}]}
                              - route: {timeout: 1s}
                clusters: [{name: c, endpoints: [{address: 127.0.0.1, port: 1}]}]
                """);
        assertEquals(3, es.size(), es::toString);
        String routes = "listeners[0].http.route_config.virtual_hosts[0].routes";
        assertError(es.get(0), routes + "[0].route.weighted_clusters[0].weight", 9, "must be greater than 0");
        assertError(es.get(1), routes + "[1].route", 10, "has cluster and weighted_clusters");
        assertError(es.get(2), routes + "[2].route", 11, "needs one of cluster or weighted_clusters");
    }

    @Test
    void filtersAndTls() {
        List<ConfigError> es = errors("""
                listeners:
                  - name: web
                    port: 443
                    tls:
                      certificates: [{cert: missing.pem, key: missing.key}]
                      alpn: [h3]
                    http:
                      router: {plugin: r}
                      filters:
                        - {name: a, script: a.js}
                        - {script: nowhere.js}
                        - {config: {x: 1}}
                """);
        assertEquals(7, es.size(), es::toString);
        assertError(es.get(0), "listeners[0].tls.certificates[0].cert", 5, "certificate file not found: " + dir.resolve("missing.pem"));
        assertError(es.get(1), "listeners[0].tls.certificates[0].key", 5, "private key file not found");
        assertError(es.get(2), "listeners[0].tls.alpn[0]", 6, "unknown ALPN protocol 'h3'; expected h2 or http/1.1");
        assertError(es.get(3), "listeners[0].http.filters[0]", 10, "has name and script; give exactly one of name or script");
        assertError(es.get(4), "listeners[0].http.filters[0].script", 10, "filter script file not found");
        assertError(es.get(5), "listeners[0].http.filters[1].script", 11, "filter script file not found");
        assertError(es.get(6), "listeners[0].http.filters[2]", 12, "needs one of name or script");
    }

    @Test
    void lbPolicyPluginNameMustNotBeEmpty() {
        assertError(single("""
                clusters:
                  - name: c
                    lb_policy: {plugin: "", config: {a: 1}}
                    endpoints: [{address: 127.0.0.1, port: 1}]
                """), "clusters[0].lb_policy.plugin", 3, "an lb_policy plugin name must not be empty");
    }

    @Test
    void addressesAreLiteralsOrHostnames() {
        List<ConfigError> es = errors("""
                admin: {address: "not an address", port: 0}
                clusters:
                  - name: c
                    endpoints:
                      - {address: 10.0.0, port: 1}
                      - {address: "fe80::1", port: 1}
                      - {address: "[::1]", port: 1}
                      - {address: db-1.internal, port: 1}
                """);
        assertEquals(4, es.size(), es::toString);
        assertError(es.get(0), "admin.address", 1, "'not an address' is not an IP address or host name");
        assertError(es.get(1), "admin.port", 1, "must be 1..65535");
        assertError(es.get(2), "clusters[0].endpoints[0].address", 5, "'10.0.0' is not an IP address or host name");
        assertError(es.get(3), "clusters[0].endpoints[2].address", 7, "'[::1]' is not an IP address or host name");
    }

    @Test
    void portClashes() {
        List<ConfigError> es = errors("""
                listeners:
                  - {name: a, port: 8080, tcp: {cluster: c}}
                  - {name: b, address: 127.0.0.1, port: 8080, tcp: {cluster: c}}
                  - {name: admin-clash, port: 9901, tcp: {cluster: c}}
                  - {name: other-ip, address: 127.0.0.2, port: 8081, tcp: {cluster: c}}
                  - {name: other-ip2, address: 127.0.0.3, port: 8081, tcp: {cluster: c}}
                clusters: [{name: c, endpoints: [{address: 127.0.0.1, port: 1}]}]
                """);
        assertEquals(2, es.size(), es::toString);
        assertError(es.get(0), "listeners[1].port", 3, "port 8080 on 127.0.0.1 is already used by listeners[0]");
        assertError(es.get(1), "listeners[2].port", 4, "port 9901 on 0.0.0.0 is already used by the admin API");
    }

    @Test
    void allErrorsAreCollectedInLineOrder() {
        List<ConfigError> es = errors("""
                listeners:
                  - {name: a, port: 0, tcp: {cluster: x}}
                clusters:
                  - {name: c}
                """);
        assertEquals(List.of(
                new ConfigError("listeners[0].port", "must be 1..65535 (a port is required)", 2),
                new ConfigError("listeners[0].tcp.cluster", "unknown cluster 'x'", 2),
                new ConfigError("clusters[0].endpoints", "a cluster needs at least one endpoint", 4)), es);
    }
}
