package yastack.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpRequest;
import java.util.List;

/**
 * The downstream HTTP/1.1 codec: the strict {@link RequestDecoder} in, the
 * {@link ResponseEncoder} out. It remembers the method of each request it decoded so the
 * response to a HEAD carries no body.
 */
final class DownstreamCodec extends RequestDecoder implements Http1Codec {
    static final int MAX_REQUEST_LINE = 16 * 1024;
    static final int MAX_BODY_PIECE = 64 * 1024;

    private final ResponseEncoder encoder = new ResponseEncoder();

    /** @param headersTimeoutMillis request_headers_timeout: from a head's first byte to its last (0: none) */
    DownstreamCodec(int maxHeaderBytes, long headersTimeoutMillis) {
        super(MAX_REQUEST_LINE, maxHeaderBytes, MAX_BODY_PIECE, headersTimeoutMillis);
    }

    @Override
    public Http1Encoder encoder() {
        return encoder;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out) {
        int before = out.size();
        super.decode(ctx, buffer, out);
        for (int i = before; i < out.size(); i++) {
            if (out.get(i) instanceof HttpRequest r) encoder.expect(r.method());
        }
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) throws Exception {
        encoder.writePending(ctx); // the pipeline changes (an upgrade): what was written still goes out
        super.handlerRemoved0(ctx);
    }
}
