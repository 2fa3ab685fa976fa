package yastack.proxy.edge;

import com.google.protobuf.Duration;
import com.google.protobuf.util.Durations;
import yastack.api.config.HttpConnectionManager;
import yastack.api.config.HeadersWithUnderscoresAction;
import yastack.api.config.HttpConnectionManager.PathWithEscapedSlashesAction;
import yastack.api.config.Http2ProtocolOptions;

/**
 * An HTTP listener's edge settings, compiled once per config: header limits, path
 * normalization, forwarded-header trust, stream and connection timeouts, and what HTTP/2
 * clients may do. The defaults are Envoy's edge recommendations.
 *
 * @param streamIdleMillis time without bytes moving on a stream (0: none)
 * @param maxStreamMillis a stream's whole life (0: none)
 * @param requestMillis time to receive the whole request (0: none)
 * @param maxConnectionMillis a connection's life before it is drained (0: none)
 */
public record HttpEdgeSettings(RequestHeaderPolicy headers, PathNormalizer paths, ForwardingTrust trust,
                               long streamIdleMillis, long maxStreamMillis, long requestMillis, long maxConnectionMillis,
                               Http2Limits http2) {
    public static final long DEFAULT_STREAM_IDLE_MILLIS = 300_000;

    /**
     * @param maxHeaderBytes the listener's limit on a request head (max_request_headers_kb),
     *        which HTTP/2 clients learn as SETTINGS_MAX_HEADER_LIST_SIZE
     */
    public static HttpEdgeSettings of(HttpConnectionManager http, int maxHeaderBytes) {
        RequestHeaderPolicy headers = new RequestHeaderPolicy(
                http.hasMaxHeadersCount() ? http.getMaxHeadersCount() : RequestHeaderPolicy.DEFAULT_MAX_HEADERS_COUNT,
                http.hasHeadersWithUnderscoresAction() ? http.getHeadersWithUnderscoresAction() : HeadersWithUnderscoresAction.REJECT_REQUEST);
        PathNormalizer paths = new PathNormalizer(!http.hasNormalizePath() || http.getNormalizePath(),
                !http.hasMergeSlashes() || http.getMergeSlashes(),
                http.hasPathWithEscapedSlashesAction() ? http.getPathWithEscapedSlashesAction()
                        : PathWithEscapedSlashesAction.UNESCAPE_AND_REDIRECT);
        ForwardingTrust trust = new ForwardingTrust(!http.hasUseRemoteAddress() || http.getUseRemoteAddress(),
                http.getXffNumTrustedHops(), http.getPreserveExternalRequestId());
        Http2ProtocolOptions h2 = http.getHttp2ProtocolOptions();
        return new HttpEdgeSettings(headers, paths, trust,
                http.hasStreamIdleTimeout() ? millis(http.getStreamIdleTimeout()) : DEFAULT_STREAM_IDLE_MILLIS,
                millis(http.getMaxStreamDuration()), millis(http.getRequestTimeout()), millis(http.getMaxConnectionDuration()),
                Http2Limits.of(h2, maxHeaderBytes));
    }

    private static long millis(Duration d) {
        return Durations.toMillis(d);
    }
}
