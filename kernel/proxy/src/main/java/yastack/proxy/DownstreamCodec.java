package yastack.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpStatusClass;
import java.util.ArrayDeque;
import java.util.List;

/**
 * The downstream HTTP/1.1 codec: the strict {@link RequestDecoder} and Netty's response
 * encoder. Like Netty's HttpServerCodec it remembers request methods so responses to
 * HEAD carry no body.
 */
final class DownstreamCodec extends CombinedChannelDuplexHandler<DownstreamCodec.Decoder, DownstreamCodec.Encoder> {
    static final int MAX_REQUEST_LINE = 16 * 1024;
    static final int MAX_BODY_PIECE = 64 * 1024;

    /** @param headersTimeoutMillis request_headers_timeout: from a head's first byte to its last (0: none) */
    DownstreamCodec(int maxHeaderBytes, long headersTimeoutMillis) {
        ArrayDeque<HttpMethod> methods = new ArrayDeque<>(2); // one per response still to write: usually one
        init(new Decoder(maxHeaderBytes, headersTimeoutMillis, methods), new Encoder(methods));
    }

    static final class Decoder extends RequestDecoder {
        private final ArrayDeque<HttpMethod> methods;

        Decoder(int maxHeaderBytes, long headersTimeoutMillis, ArrayDeque<HttpMethod> methods) {
            super(MAX_REQUEST_LINE, maxHeaderBytes, MAX_BODY_PIECE, headersTimeoutMillis);
            this.methods = methods;
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out) {
            int before = out.size();
            super.decode(ctx, buffer, out);
            for (int i = before; i < out.size(); i++) {
                if (out.get(i) instanceof HttpRequest r) methods.add(r.method());
            }
        }
    }

    static final class Encoder extends HttpResponseEncoder {
        private final ArrayDeque<HttpMethod> methods;

        Encoder(ArrayDeque<HttpMethod> methods) {
            this.methods = methods;
        }

        @Override
        protected boolean isContentAlwaysEmpty(HttpResponse msg) {
            // Interim (1xx) responses precede the final one for the same request.
            if (msg.status().codeClass() == HttpStatusClass.INFORMATIONAL) return super.isContentAlwaysEmpty(msg);
            HttpMethod method = methods.poll();
            return HttpMethod.HEAD.equals(method) || super.isContentAlwaysEmpty(msg);
        }

        @Override
        protected void encodeHeaders(HttpHeaders headers, ByteBuf buf) {
            if (headers instanceof FlatHttpHeaders flat) flat.encode(buf);
            else super.encodeHeaders(headers, buf);
        }
    }
}
