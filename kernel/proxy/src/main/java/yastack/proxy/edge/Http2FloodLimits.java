package yastack.proxy.edge;

import yastack.api.config.Http2ProtocolOptions;

/**
 * When an HTTP/2 client's frames are an attack rather than use ({@link Http2FloodGuard}), from a
 * listener's {@code http2_protocol_options}; Envoy's defaults where Envoy has the limit.
 *
 * @param maxOutboundControlFrames control frames queued for a client that does not read them
 * @param maxConsecutiveEmptyFrames DATA/HEADERS/CONTINUATION frames in a row without payload or end flag
 * @param maxPriorityFramesPerStream PRIORITY frames per stream opened, plus this many
 * @param maxPrematureResets streams reset by the client within the window (and half those it opened)
 * @param maxInboundControlFrames SETTINGS, and separately PINGs, within the window
 * @param maxHeaderBlockFrames frames one header block may take
 */
public record Http2FloodLimits(int maxOutboundControlFrames, int maxConsecutiveEmptyFrames, int maxPriorityFramesPerStream,
                               int maxPrematureResets, int maxInboundControlFrames, int maxHeaderBlockFrames) {
    public static final int DEFAULT_MAX_OUTBOUND_CONTROL_FRAMES = 1000;
    public static final int DEFAULT_MAX_CONSECUTIVE_EMPTY_FRAMES = 1;
    public static final int DEFAULT_MAX_PRIORITY_FRAMES_PER_STREAM = 100;
    public static final int DEFAULT_MAX_PREMATURE_RESETS = 100;
    public static final int DEFAULT_MAX_INBOUND_CONTROL_FRAMES = 100;
    public static final int DEFAULT_MAX_HEADER_BLOCK_FRAMES = 64;

    public static Http2FloodLimits of(Http2ProtocolOptions o) {
        return new Http2FloodLimits(
                o.hasMaxOutboundControlFrames() ? o.getMaxOutboundControlFrames() : DEFAULT_MAX_OUTBOUND_CONTROL_FRAMES,
                o.hasMaxConsecutiveInboundFramesWithEmptyPayload() ? o.getMaxConsecutiveInboundFramesWithEmptyPayload()
                        : DEFAULT_MAX_CONSECUTIVE_EMPTY_FRAMES,
                o.hasMaxInboundPriorityFramesPerStream() ? o.getMaxInboundPriorityFramesPerStream() : DEFAULT_MAX_PRIORITY_FRAMES_PER_STREAM,
                o.hasMaxPrematureResets() ? o.getMaxPrematureResets() : DEFAULT_MAX_PREMATURE_RESETS,
                o.hasMaxInboundControlFrames() ? o.getMaxInboundControlFrames() : DEFAULT_MAX_INBOUND_CONTROL_FRAMES,
                o.hasMaxHeaderBlockFrames() ? o.getMaxHeaderBlockFrames() : DEFAULT_MAX_HEADER_BLOCK_FRAMES);
    }
}
