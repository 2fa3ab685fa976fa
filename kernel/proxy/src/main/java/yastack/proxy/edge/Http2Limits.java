package yastack.proxy.edge;

import io.netty.handler.codec.http2.Http2Settings;
import yastack.api.config.Http2ProtocolOptions;

/**
 * What an HTTP/2 client of a listener may do: streams at once, flow-control windows
 * (what it may send before the proxy has read it), the header block size and the flood
 * limits. Envoy's edge values by default: 100 streams, 64 KiB per stream, 1 MiB per connection.
 */
public record Http2Limits(int maxConcurrentStreams, int initialStreamWindow, int initialConnectionWindow, int maxHeaderListSize,
                          Http2FloodLimits flood) {
    public static final int DEFAULT_MAX_CONCURRENT_STREAMS = 100;
    public static final int DEFAULT_STREAM_WINDOW = 64 * 1024;
    public static final int DEFAULT_CONNECTION_WINDOW = 1024 * 1024;

    public static Http2Limits of(Http2ProtocolOptions o, int maxHeaderListSize) {
        return new Http2Limits(o.getMaxConcurrentStreams() == 0 ? DEFAULT_MAX_CONCURRENT_STREAMS : o.getMaxConcurrentStreams(),
                o.hasInitialStreamWindowSize() ? o.getInitialStreamWindowSize() : DEFAULT_STREAM_WINDOW,
                o.hasInitialConnectionWindowSize() ? o.getInitialConnectionWindowSize() : DEFAULT_CONNECTION_WINDOW,
                maxHeaderListSize, Http2FloodLimits.of(o));
    }

    /** The SETTINGS the proxy announces to a client. */
    public Http2Settings settings() {
        return Http2Settings.defaultSettings().maxConcurrentStreams(maxConcurrentStreams)
                .initialWindowSize(initialStreamWindow).maxHeaderListSize(maxHeaderListSize);
    }
}
