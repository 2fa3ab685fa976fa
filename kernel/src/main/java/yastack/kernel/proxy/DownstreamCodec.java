package yastack.kernel.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpStatusClass;
import java.util.ArrayDeque;
import java.util.List;

/**
 * The downstream HTTP/1.1 codec. Like Netty's HttpServerCodec (it remembers request
 * methods so responses to HEAD carry no body), but stricter where request smuggling
 * lives: a request with both Transfer-Encoding and Content-Length is a decode failure
 * (RFC 9112 6.3 lets a server reject it; we do, as Envoy does) instead of silently
 * dropping Content-Length.
 */
final class DownstreamCodec extends CombinedChannelDuplexHandler<DownstreamCodec.Decoder, DownstreamCodec.Encoder> {
    static final String BOTH_TE_AND_CL = "both Transfer-Encoding and Content-Length";

    DownstreamCodec(int maxHeaderBytes) {
        ArrayDeque<HttpMethod> methods = new ArrayDeque<>();
        HttpDecoderConfig config = new HttpDecoderConfig()
                .setMaxInitialLineLength(16 * 1024)
                .setMaxHeaderSize(maxHeaderBytes)
                .setMaxChunkSize(64 * 1024)
                .setValidateHeaders(true)
                .setStrictLineParsing(true)
                .setAllowDuplicateContentLengths(false);
        init(new Decoder(config, methods), new Encoder(methods));
    }

    static final class Decoder extends HttpRequestDecoder {
        private final ArrayDeque<HttpMethod> methods;

        Decoder(HttpDecoderConfig config, ArrayDeque<HttpMethod> methods) {
            super(config);
            this.methods = methods;
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out) throws Exception {
            int before = out.size();
            super.decode(ctx, buffer, out);
            for (int i = before; i < out.size(); i++) {
                if (out.get(i) instanceof HttpRequest r) methods.add(r.method());
            }
        }

        @Override
        protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
            throw new IllegalArgumentException(BOTH_TE_AND_CL);
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
    }
}
