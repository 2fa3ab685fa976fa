package yastack.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;

/**
 * The requests of an upstream connection. Each request's method is queued for the response
 * decoder (a response to HEAD has no body whatever its fields say).
 */
final class RequestEncoder extends Http1Encoder {
    /** Methods of the requests written and not yet answered, oldest first. */
    private final ArrayDeque<HttpMethod> methods;

    RequestEncoder(ArrayDeque<HttpMethod> methods) {
        this.methods = methods;
    }

    @Override
    boolean bodiless(HttpMessage head) {
        methods.add(((HttpRequest) head).method());
        return false;
    }

    @Override
    int startLineSize(HttpMessage head) {
        HttpRequest r = (HttpRequest) head;
        return r.method().asciiName().length() + ByteBufUtil.utf8MaxBytes(r.uri()) + r.protocolVersion().text().length() + 5;
    }

    @Override
    void writeStartLine(ByteBuf buf, HttpMessage head) {
        HttpRequest r = (HttpRequest) head;
        ByteBufUtil.copy(r.method().asciiName(), buf);
        buf.writeByte(' ');
        String uri = r.uri();
        int slashAt = missingSlash(uri);
        if (slashAt < 0) {
            buf.writeCharSequence(uri, StandardCharsets.UTF_8);
        } else {
            buf.writeCharSequence(uri.subSequence(0, slashAt), StandardCharsets.UTF_8);
            buf.writeByte('/');
            buf.writeCharSequence(uri.subSequence(slashAt, uri.length()), StandardCharsets.UTF_8);
        }
        buf.writeByte(' ');
        ByteBufUtil.writeAscii(buf, r.protocolVersion().text());
        buf.writeShort(CRLF);
    }

    /**
     * Where a target lacks the "/" its path must at least be (RFC 9112 3.2.1, 3.2.2): an empty
     * one, or an absolute-form one with nothing between its authority and its query; -1 when
     * it has one.
     */
    private static int missingSlash(String uri) {
        if (uri.isEmpty()) return 0;
        if (uri.charAt(0) == '/') return -1;
        int scheme = uri.indexOf("://");
        if (scheme < 0) return -1; // asterisk- or authority-form: as it is
        int authority = scheme + 3;
        int query = uri.indexOf('?', authority);
        int pathEnd = query < 0 ? uri.length() : query;
        return uri.lastIndexOf('/', pathEnd - 1) < authority ? pathEnd : -1;
    }
}
