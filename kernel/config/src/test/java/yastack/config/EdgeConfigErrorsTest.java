package yastack.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;
import yastack.api.config.Bootstrap;
import yastack.api.config.HeadersWithUnderscoresAction;
import yastack.api.config.HttpConnectionManager.PathWithEscapedSlashesAction;
import yastack.api.config.ListenerTls;

/** The edge settings: what reads, and what is refused with field and line. */
class EdgeConfigErrorsTest extends ConfigErrorAssertions {
    @Test
    void everyEdgeFieldReads() throws Exception {
        Files.writeString(dir.resolve("c.pem"), "x");
        Files.writeString(dir.resolve("k.pem"), "x");
        Bootstrap b = ConfigLoader.parse("""
                overload_manager:
                  refresh_interval: 100ms
                  heap: {stop_accepting_connections: 0.8, stop_accepting_requests: 0.9}
                  direct_memory: {stop_accepting_connections: 0.7}
                  max_active_downstream_connections: 5000
                listeners:
                  - name: web
                    port: 443
                    max_connections: 100
                    per_connection_buffer_limit_bytes: 32768
                    tls: {certificates: [{cert: c.pem, key: k.pem}], min_version: TLSv1_3, ecdh_curves: [X25519]}
                    http:
                      max_headers_count: 50
                      headers_with_underscores_action: drop_header
                      normalize_path: false
                      merge_slashes: false
                      path_with_escaped_slashes_action: reject_request
                      use_remote_address: false
                      xff_num_trusted_hops: 2
                      preserve_external_request_id: true
                      stream_idle_timeout: 10s
                      max_connection_duration: 1h
                      max_stream_duration: 30s
                      request_timeout: 20s
                      http2_protocol_options: {max_concurrent_streams: 10, initial_stream_window_size: 65535, initial_connection_window_size: 2097152}
                      route_config:
                        virtual_hosts:
                          - domains: ["*"]
                            routes:
                              - route: {cluster: c, idle_timeout: 5s, timeout: 0s, retry_policy: {retry_on: 5xx, per_try_idle_timeout: 2s}}
                clusters:
                  - name: c
                    circuit_breakers: {max_connections: 10, max_pending_requests: 0, max_requests: 20, max_retries: 1}
                    endpoints: [{address: 127.0.0.1, port: 1}]
                """, dir, () -> true).bootstrap();
        var l = b.getListeners(0);
        var h = l.getHttp();
        assertEquals(100, l.getMaxConnections());
        assertEquals(32768, l.getPerConnectionBufferLimitBytes());
        assertEquals(ListenerTls.TlsVersion.TLSV1_3, l.getTls().getMinVersion());
        assertEquals(HeadersWithUnderscoresAction.DROP_HEADER, h.getHeadersWithUnderscoresAction());
        assertEquals(PathWithEscapedSlashesAction.REJECT_REQUEST, h.getPathWithEscapedSlashesAction());
        assertTrue(h.hasNormalizePath() && !h.getNormalizePath());
        assertEquals(2, h.getXffNumTrustedHops());
        assertEquals(10, h.getHttp2ProtocolOptions().getMaxConcurrentStreams());
        assertEquals(5, h.getRouteConfig().getVirtualHosts(0).getRoutes(0).getRoute().getIdleTimeout().getSeconds());
        assertEquals(0, b.getClusters(0).getCircuitBreakers().getMaxPendingRequests());
        assertTrue(b.getClusters(0).getCircuitBreakers().hasMaxPendingRequests());
        assertEquals(0.8, b.getOverloadManager().getHeap().getStopAcceptingConnections());
    }

    @Test
    void badEdgeValuesNameTheirFieldAndLine() {
        List<ConfigError> es = errors("""
                overload_manager:
                  refresh_interval: 0s
                  heap: {stop_accepting_connections: 0.99, stop_accepting_requests: 0.9}
                  direct_memory: {stop_accepting_requests: 1.5}
                listeners:
                  - name: web
                    port: 80
                    per_connection_buffer_limit_bytes: 0
                    http:
                      max_headers_count: 0
                      xff_num_trusted_hops: 99
                      stream_idle_timeout: -1s
                      http2_protocol_options: {initial_stream_window_size: 100}
                      headers_with_underscores_action: maybe
                      route_config:
                        virtual_hosts:
                          - domains: ["*"]
                            routes:
                              - route: {cluster: c, idle_timeout: -2s, retry_policy: {retry_on: 5xx, per_try_idle_timeout: -1s}}
                clusters:
                  - {name: c, circuit_breakers: {max_connections: 0, max_requests: 0}, endpoints: [{address: 127.0.0.1, port: 1}]}
                """);
        String h = "listeners[0].http";
        String route = h + ".route_config.virtual_hosts[0].routes[0].route";
        assertEquals(1, es.size(), "an unknown enum value stops before the checks: " + es);
        assertError(es.get(0), h + ".headers_with_underscores_action", 14, "unknown value 'maybe'");
        es = errors("""
                overload_manager:
                  refresh_interval: 0s
                  heap: {stop_accepting_connections: 0.99, stop_accepting_requests: 0.9}
                  direct_memory: {stop_accepting_requests: 1.5}
                listeners:
                  - name: web
                    port: 80
                    per_connection_buffer_limit_bytes: 0
                    http:
                      max_headers_count: 0
                      xff_num_trusted_hops: 99
                      stream_idle_timeout: -1s
                      http2_protocol_options: {initial_stream_window_size: 100}
                      route_config:
                        virtual_hosts:
                          - domains: ["*"]
                            routes:
                              - route: {cluster: c, idle_timeout: -2s, retry_policy: {retry_on: 5xx, per_try_idle_timeout: -1s}}
                clusters:
                  - {name: c, circuit_breakers: {max_connections: 0, max_requests: 0}, endpoints: [{address: 127.0.0.1, port: 1}]}
                """);
        assertEquals(12, es.size(), es::toString);
        assertError(es.get(0), "overload_manager.refresh_interval", 2, "greater than 0");
        assertError(es.get(1), "overload_manager.heap.stop_accepting_requests", 3, "must not be above");
        assertError(es.get(2), "overload_manager.direct_memory.stop_accepting_requests", 4, "0 < x <= 1");
        assertError(es.get(3), "listeners[0].per_connection_buffer_limit_bytes", 8, "greater than 0");
        assertError(es.get(4), h + ".max_headers_count", 10, "at least 1");
        assertError(es.get(5), h + ".xff_num_trusted_hops", 11, "at most 32");
        assertError(es.get(6), h + ".stream_idle_timeout", 12, "negative");
        assertError(es.get(7), h + ".http2_protocol_options.initial_stream_window_size", 13, "65535..");
        assertError(es.get(8), route + ".idle_timeout", 18, "negative");
        assertError(es.get(9), route + ".retry_policy.per_try_idle_timeout", 18, "negative");
        assertError(es.get(10), "clusters[0].circuit_breakers.max_connections", 20, "at least 1");
        assertError(es.get(11), "clusters[0].circuit_breakers.max_requests", 20, "at least 1");
    }

    @Test
    void http2FloodLimitsReadAndBadOnesAreRefused() throws Exception {
        Bootstrap b = ConfigLoader.parse("""
                listeners:
                  - name: web
                    port: 80
                    http:
                      http2_protocol_options:
                        max_outbound_control_frames: 10
                        max_consecutive_inbound_frames_with_empty_payload: 0
                        max_inbound_priority_frames_per_stream: 0
                        max_premature_resets: 20
                        max_inbound_control_frames: 5
                        max_header_block_frames: 4
                      route_config: {virtual_hosts: [{domains: ["*"], routes: [{route: {cluster: c}}]}]}
                clusters:
                  - {name: c, endpoints: [{address: 127.0.0.1, port: 1}]}
                """, dir, () -> true).bootstrap();
        var o = b.getListeners(0).getHttp().getHttp2ProtocolOptions();
        assertEquals(10, o.getMaxOutboundControlFrames());
        assertTrue(o.hasMaxConsecutiveInboundFramesWithEmptyPayload() && o.getMaxConsecutiveInboundFramesWithEmptyPayload() == 0);
        assertTrue(o.hasMaxInboundPriorityFramesPerStream());
        assertEquals(20, o.getMaxPrematureResets());
        assertEquals(5, o.getMaxInboundControlFrames());
        assertEquals(4, o.getMaxHeaderBlockFrames());

        List<ConfigError> es = errors("""
                listeners:
                  - name: web
                    port: 80
                    http:
                      http2_protocol_options:
                        max_outbound_control_frames: 0
                        max_consecutive_inbound_frames_with_empty_payload: 4294967295
                        max_inbound_priority_frames_per_stream: 2147483648
                        max_premature_resets: 0
                        max_inbound_control_frames: 0
                        max_header_block_frames: 0
                      route_config: {virtual_hosts: [{domains: ["*"], routes: [{route: {cluster: c}}]}]}
                clusters:
                  - name: c
                    http2_protocol_options: {max_premature_resets: 10}
                    endpoints: [{address: 127.0.0.1, port: 1}]
                """);
        String h2 = "listeners[0].http.http2_protocol_options";
        assertEquals(7, es.size(), es::toString);
        assertError(es.get(0), h2 + ".max_outbound_control_frames", 6, "must be 1..2147483647, got 0");
        assertError(es.get(1), h2 + ".max_consecutive_inbound_frames_with_empty_payload", 7, "must be 0..2147483647, got 4294967295");
        assertError(es.get(2), h2 + ".max_inbound_priority_frames_per_stream", 8, "got 2147483648");
        assertError(es.get(3), h2 + ".max_premature_resets", 9, "must be 1..");
        assertError(es.get(4), h2 + ".max_inbound_control_frames", 10, "must be 1..");
        assertError(es.get(5), h2 + ".max_header_block_frames", 11, "must be 1..");
        assertError(es.get(6), "clusters[0].http2_protocol_options.max_premature_resets", 15, "a cluster has no such limit");
    }

    @Test
    void onlyStrongCipherSuitesAndCurves() throws Exception {
        Files.writeString(dir.resolve("c.pem"), "x");
        Files.writeString(dir.resolve("k.pem"), "x");
        List<ConfigError> es = errors("""
                listeners:
                  - name: web
                    port: 443
                    tls:
                      certificates: [{cert: c.pem, key: k.pem}]
                      cipher_suites: [ECDHE-RSA-AES128-GCM-SHA256, AES128-SHA, ECDHE-RSA-AES128-GCM-SHA256]
                      ecdh_curves: [P-256, secp192r1]
                    http: {route_config: {virtual_hosts: [{domains: ["*"], routes: [{direct_response: {status: 200}}]}]}}
                  - name: only13
                    port: 444
                    tls: {certificates: [{cert: c.pem, key: k.pem}], min_version: TLSv1_3, cipher_suites: [ECDHE-RSA-AES128-GCM-SHA256]}
                    http: {route_config: {virtual_hosts: [{domains: ["*"], routes: [{direct_response: {status: 200}}]}]}}
                """);
        assertEquals(4, es.size(), es::toString);
        assertError(es.get(0), "listeners[0].tls.cipher_suites[1]", 6, "unknown or weak cipher suite 'AES128-SHA'");
        assertError(es.get(1), "listeners[0].tls.cipher_suites[2]", 6, "listed twice");
        assertError(es.get(2), "listeners[0].tls.ecdh_curves[1]", 7, "unknown or weak curve 'secp192r1'");
        assertError(es.get(3), "listeners[1].tls.cipher_suites", 11, "TLS 1.3 suites are fixed");
    }

    @Test
    void mustStapleNeedsAStapleForEveryCertificateAndTheFileMustExist() throws Exception {
        Files.writeString(dir.resolve("c.pem"), "x");
        Files.writeString(dir.resolve("k.pem"), "x");
        List<ConfigError> es = errors("""
                listeners:
                  - name: web
                    port: 443
                    tls:
                      ocsp_staple_policy: must_staple
                      certificates:
                        - {cert: c.pem, key: k.pem, ocsp_staple: gone.der}
                        - {cert: c.pem, key: k.pem}
                    http: {route_config: {virtual_hosts: [{domains: ["*"], routes: [{direct_response: {status: 200}}]}]}}
                """);
        assertEquals(2, es.size(), es::toString);
        assertError(es.get(0), "listeners[0].tls.certificates[0].ocsp_staple", 7, "OCSP response file not found");
        assertError(es.get(1), "listeners[0].tls.certificates[1]", 8,
                "ocsp_staple_policy must_staple needs an ocsp_staple for every certificate");
    }

    @Test
    void aPemIsAFileOrInlineNotBoth() throws Exception {
        Files.writeString(dir.resolve("c.pem"), "x");
        List<ConfigError> es = errors("""
                listeners:
                  - name: web
                    port: 443
                    tls:
                      certificates:
                        - {cert: c.pem, cert_pem: "-----BEGIN CERTIFICATE-----", key_pem: "not pem"}
                      client_ca_pem: "-----BEGIN CERTIFICATE-----"
                    http: {route_config: {virtual_hosts: [{domains: ["*"], routes: [{direct_response: {status: 200}}]}]}}
                """);
        assertEquals(2, es.size(), es::toString);
        assertError(es.get(0), "listeners[0].tls.certificates[0]", 6, "has cert and cert_pem; give one");
        assertError(es.get(1), "listeners[0].tls.certificates[0].key_pem", 6, "is not PEM text (no -----BEGIN line)");
    }

    @Test
    void aClusterClientCertificateNeedsItsKey() {
        List<ConfigError> es = errors("""
                listeners:
                  - {name: web, port: 8080, tcp: {cluster: up}}
                clusters:
                  - name: up
                    tls: {sni: up.internal, cert_pem: "-----BEGIN CERTIFICATE-----", ca: gone.pem}
                    endpoints: [{address: 127.0.0.1, port: 443}]
                """);
        assertEquals(2, es.size(), es::toString);
        assertError(es.get(0), "clusters[0].tls.ca", 5, "CA file not found");
        assertError(es.get(1), "clusters[0].tls", 5, "a client certificate needs both a key (key or key_pem)");
    }
}
