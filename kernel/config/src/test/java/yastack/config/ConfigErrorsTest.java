package yastack.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Bad configs: YAML, types, listeners, clusters. Each names the exact field path and line. */
class ConfigErrorsTest extends ConfigErrorAssertions {
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
    void priorityLevelsStopAt127() {
        assertError(single("""
                listeners:
                  - {name: web, port: 8080, tcp: {cluster: c}}
                clusters:
                  - name: c
                    endpoints:
                      - {address: 127.0.0.1, port: 80}
                      - {address: 127.0.0.2, port: 80, priority: 128}
                """), "clusters[0].endpoints[1].priority", 7, "must be 0..127, got 128");
    }

    @Test
    void aMirrorNamesAClusterThatExists() {
        assertError(single("""
                listeners:
                  - name: web
                    port: 8080
                    http:
                      route_config:
                        virtual_hosts:
                          - name: all
                            domains: ["*"]
                            routes:
                              - {match: {prefix: /}, route: {cluster: c, request_mirror_policies: [{cluster: nowhere}]}}
                clusters:
                  - {name: c, endpoints: [{address: 127.0.0.1, port: 80}]}
                """), "listeners[0].http.route_config.virtual_hosts[0].routes[0].route.request_mirror_policies[0].cluster", 10,
                "unknown cluster 'nowhere'");
    }

    @Test
    void healthStatusIsForStaticAndEdsEndpoints() {
        assertError(single("""
                listeners:
                  - {name: web, port: 8080, tcp: {cluster: c}}
                clusters:
                  - name: c
                    type: strict_dns
                    endpoints:
                      - {address: localhost, port: 80, health_status: unhealthy}
                """), "clusters[0].endpoints[0].health_status", 7, "only for static and EDS endpoints");
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

    @Test
    void healthCheckNamesItsBadFields() {
        List<ConfigError> es = errors("""
                clusters:
                  - name: c
                    endpoints: [{address: 127.0.0.1, port: 1}]
                    health_check:
                      path: healthz
                      interval: 0s
                      timeout: -1s
                      expected_statuses: [200, 99]
                      host: "bad host"
                  - name: d
                    endpoints: [{address: 127.0.0.1, port: 1}]
                    health_check: {expected_statuses: [200]}
                """);
        assertEquals(6, es.size(), es::toString);
        assertError(es.get(0), "clusters[0].health_check.path", 5, "must start with /");
        assertError(es.get(1), "clusters[0].health_check.interval", 6, "must be greater than 0");
        assertError(es.get(2), "clusters[0].health_check.timeout", 7, "must be greater than 0");
        assertError(es.get(3), "clusters[0].health_check.expected_statuses[1]", 8, "200..599, got 99");
        assertError(es.get(4), "clusters[0].health_check.host", 9, "'bad host' is not a host name");
        assertError(es.get(5), "clusters[1].health_check.expected_statuses", 12, "needs a path");
    }

    @Test
    void http2ClustersTakeTcpHealthChecksOnly() {
        assertError(single("""
                clusters:
                  - name: grpc
                    http2_protocol_options: {}
                    health_check: {path: /healthz}
                    endpoints: [{address: 127.0.0.1, port: 1}]
                """), "clusters[0].health_check.path", 4, "leave path empty for a TCP (and TLS) connect check");
    }

    @Test
    void outlierDetectionNamesItsBadFields() {
        List<ConfigError> es = errors("""
                clusters:
                  - name: c
                    outlier_detection: {base_ejection_time: 0s, max_ejection_percent: 101}
                    endpoints: [{address: 127.0.0.1, port: 1}]
                """);
        assertEquals(2, es.size(), es::toString);
        assertError(es.get(0), "clusters[0].outlier_detection.base_ejection_time", 3, "must be greater than 0");
        assertError(es.get(1), "clusters[0].outlier_detection.max_ejection_percent", 3, "must be 0..100, got 101");
    }
}
