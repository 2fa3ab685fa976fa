package yastack.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestEncoder;
import java.util.ArrayDeque;
import java.util.List;

/**
 * The codec of an HTTP/1.1 connection to an upstream: Netty's request encoder, and our
 * {@link ResponseDecoder}, which learns from the encoder which method each response answers
 * (a response to HEAD has no body whatever its fields say).
 */
final class UpstreamCodec extends CombinedChannelDuplexHandler<ResponseDecoder, UpstreamCodec.Encoder> {
    UpstreamCodec() {
        ArrayDeque<HttpMethod> methods = new ArrayDeque<>(2); // one request at a time on a pooled connection
        init(new ResponseDecoder(methods), new Encoder(methods));
    }

    static final class Encoder extends HttpRequestEncoder {
        private final ArrayDeque<HttpMethod> methods;

        Encoder(ArrayDeque<HttpMethod> methods) {
            this.methods = methods;
        }

        @Override
        protected void encode(ChannelHandlerContext ctx, Object msg, List<Object> out) throws Exception {
            if (msg instanceof HttpRequest r) methods.add(r.method());
            super.encode(ctx, msg, out);
        }

        @Override
        protected void encodeHeaders(HttpHeaders headers, ByteBuf buf) {
            if (headers instanceof FlatHttpHeaders flat) flat.encode(buf);
            else super.encodeHeaders(headers, buf);
        }
    }
}
