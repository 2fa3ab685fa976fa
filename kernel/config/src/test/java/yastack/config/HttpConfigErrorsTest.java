package yastack.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Bad HTTP configs: virtual hosts, routes, matchers, filters, TLS, cluster references. */
class HttpConfigErrorsTest extends ConfigErrorAssertions {
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

    /** A codec_type of one HTTP version with TLS offering the other through ALPN; and a codec that does not exist. */
    @Test
    void codecTypeAndAlpnMustAgree() {
        List<ConfigError> es = errors("""
                listeners:
                  - name: one
                    port: 443
                    tls: {certificates: [{cert_pem: x, key_pem: y}], alpn: [h2, http/1.1]}
                    http: {codec_type: http1, route_config: {virtual_hosts: [{domains: ["*"], routes: [{route: {cluster: c}}]}]}}
                  - name: two
                    port: 444
                    tls: {certificates: [{cert_pem: x, key_pem: y}], alpn: [http/1.1]}
                    http: {codec_type: HTTP2, route_config: {virtual_hosts: [{domains: ["*"], routes: [{route: {cluster: c}}]}]}}
                  - name: three
                    port: 445
                    tls: {certificates: [{cert_pem: x, key_pem: y}], alpn: [h2]}
                    http: {codec_type: http2, route_config: {virtual_hosts: [{domains: ["*"], routes: [{route: {cluster: c}}]}]}}
                clusters: [{name: c, endpoints: [{address: 127.0.0.1, port: 1}]}]
                """).stream().filter(e -> !e.toString().contains("PEM")).toList(); // inline stand-ins for certificates
        assertEquals(2, es.size(), es::toString);
        assertError(es.get(0), "listeners[0].tls.alpn", 4, "lists h2, which http.codec_type http1 does not speak");
        assertError(es.get(1), "listeners[1].tls.alpn", 8, "lists http/1.1, which http.codec_type http2 does not speak");
        List<ConfigError> bad = errors("""
                listeners:
                  - name: web
                    port: 80
                    http: {codec_type: http3, route_config: {virtual_hosts: [{domains: ["*"], routes: [{route: {cluster: c}}]}]}}
                clusters: [{name: c, endpoints: [{address: 127.0.0.1, port: 1}]}]
                """);
        assertEquals(1, bad.size(), bad::toString);
        assertError(bad.get(0), "listeners[0].http.codec_type", 4, "unknown value 'http3'; expected one of auto, http1, http2");
    }

    @Test
    void viaMustBeATokenOrHostPort() {
        assertError(single("""
                listeners:
                  - name: web
                    port: 80
                    http:
                      via: "edge proxy"
                      route_config:
                        virtual_hosts: [{domains: ["*"], routes: [{route: {cluster: c}}]}]
                clusters: [{name: c, endpoints: [{address: 127.0.0.1, port: 1}]}]
                """), "listeners[0].http.via", 5, "must be a token or host[:port]");
    }
    @Test
    void retryPolicyNamesItsBadFields() {
        List<ConfigError> es = errors("""
                listeners:
                  - name: web
                    port: 80
                    http:
                      route_config:
                        virtual_hosts:
                          - domains: ["*"]
                            routes:
                              - route: {cluster: c, retry_policy: {retry_on: "5xx,connect-failures"}}
                              - route: {cluster: c, retry_policy: {retry_on: "5xx", retriable_status_codes: [503]}}
                              - route: {cluster: c, retry_policy: {retry_on: "retriable-status-codes", num_retries: 11}}
                              - route: {cluster: c, retry_policy: {per_try_timeout: -1s}}
                clusters: [{name: c, endpoints: [{address: 127.0.0.1, port: 1}]}]
                """);
        String routes = "listeners[0].http.route_config.virtual_hosts[0].routes";
        assertEquals(6, es.size(), es.toString());
        assertError(es.get(0), routes + "[0].route.retry_policy.retry_on", 9, "unknown condition 'connect-failures'");
        assertError(es.get(1), routes + "[1].route.retry_policy.retriable_status_codes", 10, "has no effect unless retry_on includes retriable-status-codes");
        assertError(es.get(2), routes + "[2].route.retry_policy.retriable_status_codes", 11, "no codes are listed");
        assertError(es.get(3), routes + "[2].route.retry_policy.num_retries", 11, "must be at most 10, got 11");
        assertError(es.get(4), routes + "[3].route.retry_policy.retry_on", 12, "is required");
        assertError(es.get(5), routes + "[3].route.retry_policy.per_try_timeout", 12, "must not be negative");
    }

    @Test
    void upgradeConfigsNameTheirBadEntries() {
        List<ConfigError> es = errors("""
                listeners:
                  - name: web
                    port: 80
                    http:
                      upgrade_configs: [{upgrade_type: websocket}, {upgrade_type: WebSocket}, {upgrade_type: h2c}, {upgrade_type: "a b"}]
                      route_config:
                        virtual_hosts: [{domains: ["*"], routes: [{route: {cluster: c}}]}]
                clusters: [{name: c, endpoints: [{address: 127.0.0.1, port: 1}]}]
                """);
        String p = "listeners[0].http.upgrade_configs";
        assertEquals(3, es.size(), es.toString());
        assertError(es.get(0), p + "[1].upgrade_type", 5, "'WebSocket' is listed twice");
        assertError(es.get(1), p + "[2].upgrade_type", 5, "h2c upgrades are not proxied");
        assertError(es.get(2), p + "[3].upgrade_type", 5, "must be a protocol name");
    }

    @Test
    void compressionNamesItsBadFields() {
        List<ConfigError> es = errors("""
                listeners:
                  - name: web
                    port: 80
                    http:
                      compression: {gzip_level: 10, content_types: [text/html, "text html"]}
                      route_config:
                        virtual_hosts: [{domains: ["*"], routes: [{route: {cluster: c}}]}]
                clusters: [{name: c, endpoints: [{address: 127.0.0.1, port: 1}]}]
                """);
        assertEquals(2, es.size(), es.toString());
        assertError(es.get(0), "listeners[0].http.compression.gzip_level", 5, "must be 1..9, got 10");
        assertError(es.get(1), "listeners[0].http.compression.content_types[1]", 5, "must be a media type");
    }

    @Test
    void proxyProtocolClustersAreForTcpListenersOnly() {
        List<ConfigError> es = errors("""
                listeners:
                  - name: web
                    port: 80
                    http:
                      route_config:
                        virtual_hosts: [{domains: ["*"], routes: [{route: {cluster: pp}}]}]
                  - {name: l4, port: 81, tcp: {cluster: pp}}
                clusters:
                  - {name: pp, proxy_protocol: {version: 3}, endpoints: [{address: 127.0.0.1, port: 1}]}
                """);
        assertEquals(2, es.size(), es.toString());
        assertError(es.get(0), "listeners[0].http.route_config.virtual_hosts[0].routes[0].route.cluster", 6, "sends a PROXY protocol header");
        assertError(es.get(1), "clusters[0].proxy_protocol.version", 9, "must be 1 or 2, got 3");
    }
}
