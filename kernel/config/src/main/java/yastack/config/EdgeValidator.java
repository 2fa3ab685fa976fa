package yastack.config;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import yastack.api.config.CircuitBreakers;
import yastack.api.config.Http2ProtocolOptions;
import yastack.api.config.HttpConnectionManager;
import yastack.api.config.Listener;
import yastack.api.config.ListenerTls;
import yastack.api.config.MemoryWatermarks;
import yastack.api.config.OverloadManager;

/**
 * Checks on what protects the proxy at the edge: header and path policies, forwarded-header
 * trust, stream timeouts, HTTP/2 limits, connection and buffer limits, circuit breakers, the
 * overload manager and TLS parameters.
 */
final class EdgeValidator {
    /** TLS 1.2 suites a listener may offer (OpenSSL names): ECDHE key exchange with AEAD ciphers. */
    static final List<String> CIPHER_SUITES = List.of("ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256",
            "ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-RSA-AES256-GCM-SHA384", "ECDHE-ECDSA-CHACHA20-POLY1305",
            "ECDHE-RSA-CHACHA20-POLY1305");
    static final List<String> CURVES = List.of("X25519", "P-256", "P-384", "P-521");
    private static final int MAX_TRUSTED_HOPS = 32;
    private static final long MIN_WINDOW = 65_535, MAX_WINDOW = Integer.MAX_VALUE;

    private final Findings f;

    EdgeValidator(Findings f) {
        this.f = f;
    }

    void connectionManager(String path, HttpConnectionManager h) {
        if (h.hasMaxHeadersCount() && h.getMaxHeadersCount() == 0) f.error(path + ".max_headers_count", "must be at least 1");
        if (Integer.compareUnsigned(h.getXffNumTrustedHops(), MAX_TRUSTED_HOPS) > 0) {
            f.error(path + ".xff_num_trusted_hops", "must be at most " + MAX_TRUSTED_HOPS + ", got " + Integer.toUnsignedString(h.getXffNumTrustedHops()));
        }
        f.nonNegative(path + ".stream_idle_timeout", h.hasStreamIdleTimeout(), h.getStreamIdleTimeout());
        f.nonNegative(path + ".max_connection_duration", h.hasMaxConnectionDuration(), h.getMaxConnectionDuration());
        f.nonNegative(path + ".max_stream_duration", h.hasMaxStreamDuration(), h.getMaxStreamDuration());
        f.nonNegative(path + ".request_timeout", h.hasRequestTimeout(), h.getRequestTimeout());
        if (h.hasHttp2ProtocolOptions()) http2(path + ".http2_protocol_options", h.getHttp2ProtocolOptions());
    }

    void http2(String path, Http2ProtocolOptions o) {
        if (f.written(path + ".max_concurrent_streams") && (o.getMaxConcurrentStreams() == 0 || o.getMaxConcurrentStreams() < 0)) {
            f.error(path + ".max_concurrent_streams", "must be 1.." + Integer.MAX_VALUE + ", got " + Integer.toUnsignedString(o.getMaxConcurrentStreams()));
        }
        if (o.hasInitialStreamWindowSize()) window(path + ".initial_stream_window_size", o.getInitialStreamWindowSize());
        if (o.hasInitialConnectionWindowSize()) window(path + ".initial_connection_window_size", o.getInitialConnectionWindowSize());
        floodLimit(path + ".max_outbound_control_frames", o.hasMaxOutboundControlFrames(), o.getMaxOutboundControlFrames(), 1);
        floodLimit(path + ".max_consecutive_inbound_frames_with_empty_payload", o.hasMaxConsecutiveInboundFramesWithEmptyPayload(),
                o.getMaxConsecutiveInboundFramesWithEmptyPayload(), 0);
        floodLimit(path + ".max_inbound_priority_frames_per_stream", o.hasMaxInboundPriorityFramesPerStream(),
                o.getMaxInboundPriorityFramesPerStream(), 0);
        floodLimit(path + ".max_premature_resets", o.hasMaxPrematureResets(), o.getMaxPrematureResets(), 1);
        floodLimit(path + ".max_inbound_control_frames", o.hasMaxInboundControlFrames(), o.getMaxInboundControlFrames(), 1);
        floodLimit(path + ".max_header_block_frames", o.hasMaxHeaderBlockFrames(), o.getMaxHeaderBlockFrames(), 1);
    }

    /** The flood limits guard a listener's clients: a cluster's upstream connections have none to set. */
    void clusterHttp2(String path, Http2ProtocolOptions o) {
        http2(path, o);
        for (String field : FLOOD_LIMITS) {
            if (f.written(path + "." + field)) f.error(path + "." + field, "limits what a listener's HTTP/2 clients send; a cluster has no such limit");
        }
    }

    static final List<String> FLOOD_LIMITS = List.of("max_outbound_control_frames", "max_consecutive_inbound_frames_with_empty_payload",
            "max_inbound_priority_frames_per_stream", "max_premature_resets", "max_inbound_control_frames", "max_header_block_frames");

    /** A uint32 limit: at least {@code min}, at most 2^31-1 (what the proxy counts to). */
    private void floodLimit(String path, boolean present, int value, int min) {
        if (present && (value < min)) {
            f.error(path, "must be " + min + ".." + Integer.MAX_VALUE + ", got " + Integer.toUnsignedString(value));
        }
    }

    private void window(String path, int size) {
        long v = Integer.toUnsignedLong(size);
        if (v < MIN_WINDOW || v > MAX_WINDOW) f.error(path, "must be " + MIN_WINDOW + ".." + MAX_WINDOW + " bytes, got " + v);
    }

    void listener(String path, Listener l) {
        if (l.hasPerConnectionBufferLimitBytes() && l.getPerConnectionBufferLimitBytes() == 0) {
            f.error(path + ".per_connection_buffer_limit_bytes", "must be greater than 0");
        }
        if (l.getMaxConnections() < 0) f.error(path + ".max_connections", "must be at most " + Integer.MAX_VALUE);
        if (l.hasTls()) tls(path + ".tls", l.getTls());
    }

    private void tls(String path, ListenerTls t) {
        if (t.getMinVersion() == ListenerTls.TlsVersion.TLSV1_3 && t.getCipherSuitesCount() > 0) {
            f.error(path + ".cipher_suites", "applies to TLS 1.2, which min_version TLSv1_3 turns off (TLS 1.3 suites are fixed)");
        }
        names(path + ".cipher_suites", t.getCipherSuitesList(), CIPHER_SUITES, "cipher suite");
        names(path + ".ecdh_curves", t.getEcdhCurvesList(), CURVES, "curve");
    }

    private void names(String path, List<String> given, List<String> allowed, String what) {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < given.size(); i++) {
            String n = given.get(i);
            if (!allowed.contains(n)) f.error(path + "[" + i + "]", "unknown or weak " + what + " '" + n + "'; one of " + String.join(", ", allowed));
            else if (!seen.add(n)) f.error(path + "[" + i + "]", "'" + n + "' is listed twice");
        }
    }

    void circuitBreakers(String path, CircuitBreakers c) {
        if (c.hasMaxConnections() && c.getMaxConnections() == 0) f.error(path + ".max_connections", "must be at least 1");
        if (c.hasMaxRequests() && c.getMaxRequests() == 0) f.error(path + ".max_requests", "must be at least 1");
    }

    void overloadManager(String path, OverloadManager o) {
        f.positive(path + ".refresh_interval", o.hasRefreshInterval(), o.getRefreshInterval());
        if (o.hasHeap()) watermarks(path + ".heap", o.getHeap());
        if (o.hasDirectMemory()) watermarks(path + ".direct_memory", o.getDirectMemory());
        if (o.getMaxActiveDownstreamConnections() < 0) {
            f.error(path + ".max_active_downstream_connections", "must be at most " + Integer.MAX_VALUE);
        }
    }

    private void watermarks(String path, MemoryWatermarks w) {
        fraction(path + ".stop_accepting_connections", w.hasStopAcceptingConnections(), w.getStopAcceptingConnections());
        fraction(path + ".stop_accepting_requests", w.hasStopAcceptingRequests(), w.getStopAcceptingRequests());
        double connections = w.hasStopAcceptingConnections() ? w.getStopAcceptingConnections() : 0.90;
        double requests = w.hasStopAcceptingRequests() ? w.getStopAcceptingRequests() : 0.95;
        if (connections > requests) {
            f.error(path + (w.hasStopAcceptingRequests() ? ".stop_accepting_requests" : ".stop_accepting_connections"),
                    "stop_accepting_connections (" + connections + ") must not be above stop_accepting_requests (" + requests + ")");
        }
    }

    private void fraction(String path, boolean present, double v) {
        if (present && !(v > 0 && v <= 1)) f.error(path, "must be a fraction of the limit, 0 < x <= 1, got " + v);
    }
}
