package yastack.proxy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpMethod;
import java.util.ArrayDeque;

/**
 * The codec of an HTTP/1.1 connection to an upstream: the {@link RequestEncoder} out, the
 * {@link ResponseDecoder} in, which learns from the encoder which method each response answers
 * (a response to HEAD has no body whatever its fields say).
 */
final class UpstreamCodec extends ResponseDecoder implements Http1Codec {
    private final RequestEncoder encoder;

    UpstreamCodec() {
        this(new ArrayDeque<>(2)); // one request at a time on a pooled connection
    }

    private UpstreamCodec(ArrayDeque<HttpMethod> methods) {
        super(methods);
        this.encoder = new RequestEncoder(methods);
    }

    @Override
    public Http1Encoder encoder() {
        return encoder;
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) throws Exception {
        encoder.writePending(ctx); // the pipeline changes (a tunnel): what was written still goes out
        super.handlerRemoved0(ctx);
    }
}
