package yastack.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The downstream HTTP/1.1 codec: the strict {@link RequestDecoder} in, the
 * {@link ResponseEncoder} out. It remembers the method of each request it decoded so the
 * response to a HEAD carries no body, and on a listener with {@code codec_type: auto} hands
 * a connection that opens with the HTTP/2 preface over to HTTP/2.
 */
final class DownstreamCodec extends RequestDecoder implements Http1Codec {
    static final int MAX_REQUEST_LINE = 16 * 1024;
    static final int MAX_BODY_PIECE = 64 * 1024;

    /** The HTTP/2 client preface (RFC 9113 3.4), which no HTTP/1.1 request begins with. */
    private static final byte[] H2_PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private final ResponseEncoder encoder = new ResponseEncoder();
    /** Where to turn if the connection opens with the HTTP/2 preface; null when it may not, or did not. */
    private HttpPipelines http2;

    /** @param headersTimeoutMillis request_headers_timeout: from a head's first byte to its last (0: none) */
    DownstreamCodec(int maxHeaderBytes, long headersTimeoutMillis) {
        this(maxHeaderBytes, headersTimeoutMillis, null);
    }

    /** @param http2 the listener's pipelines, to switch to HTTP/2 on the preface (prior knowledge); null: HTTP/1.1 only */
    DownstreamCodec(int maxHeaderBytes, long headersTimeoutMillis, HttpPipelines http2) {
        super(MAX_REQUEST_LINE, maxHeaderBytes, MAX_BODY_PIECE, headersTimeoutMillis);
        this.http2 = http2;
    }

    @Override
    public Http1Encoder encoder() {
        return encoder;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out) {
        if (http2 != null && !isHttp1(ctx, buffer)) return;
        int before = out.size();
        super.decode(ctx, buffer, out);
        for (int i = before; i < out.size(); i++) {
            if (out.get(i) instanceof HttpRequest r) encoder.expect(r.method());
        }
    }

    /**
     * Whether the connection's first bytes are not the HTTP/2 preface; false while they may
     * still be (too few are in to tell) and when they were, and the pipeline is turning to
     * HTTP/2 with every byte left unread for it. A request starts with its method, so one
     * byte, or two for POST, PUT and PATCH, settles it.
     */
    private boolean isHttp1(ChannelHandlerContext ctx, ByteBuf in) {
        int n = Math.min(in.readableBytes(), H2_PREFACE.length);
        for (int i = 0; i < n; i++) {
            if (in.getByte(in.readerIndex() + i) != H2_PREFACE[i]) {
                http2 = null;
                return true;
            }
        }
        if (n < H2_PREFACE.length) return false;
        HttpPipelines to = http2;
        http2 = null;
        to.priorKnowledge(ctx);
        return false;
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) throws Exception {
        encoder.writePending(ctx); // the pipeline changes (an upgrade): what was written still goes out
        super.handlerRemoved0(ctx);
    }
}
