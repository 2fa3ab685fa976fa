package yastack.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;

/**
 * The responses of a downstream connection. No body goes out after a head that answers HEAD, or
 * with a 1xx, 204, 205 or 304 (RFC 9110 6.4.1), and their framing fields are made to agree.
 */
final class ResponseEncoder extends Http1Encoder {
    /** "HTTP/1.1 200 OK\r\n" and the like, for the standard statuses by code (built on first use). */
    private static final byte[][] STATUS_LINES = new byte[600][];

    /**
     * The method of the oldest request still to be answered, and of those read after it: a
     * queue made only when a client pipelines, so a connection holds none while idle.
     */
    private HttpMethod oldest;
    private ArrayDeque<HttpMethod> later;
    /** The status line of the head being written. */
    private byte[] line;

    /** A request was read: its response comes after the ones still owed. */
    void expect(HttpMethod method) {
        if (oldest == null) {
            oldest = method;
            return;
        }
        if (later == null) later = new ArrayDeque<>(2);
        later.add(method);
    }

    private HttpMethod answered() {
        HttpMethod method = oldest;
        oldest = later == null ? null : later.poll();
        return method;
    }

    @Override
    boolean bodiless(HttpMessage head) {
        line = statusLine((HttpResponse) head);
        int code = ((HttpResponse) head).status().code();
        boolean interim = code >= 100 && code < 200;
        HttpMethod method = interim ? null : answered(); // an interim head precedes its request's final one
        HttpHeaders h = head.headers();
        if (interim || code == 204) {
            h.remove(HttpHeaderNames.CONTENT_LENGTH); // RFC 9110 8.6, 6.1
            h.remove(HttpHeaderNames.TRANSFER_ENCODING);
        } else if (code == 205) {
            h.remove(HttpHeaderNames.TRANSFER_ENCODING); // RFC 9110 15.3.6: no content
            h.set(HttpHeaderNames.CONTENT_LENGTH, HttpHeaderValues.ZERO);
        }
        return interim || code == 204 || code == 205 || code == 304 || HttpMethod.HEAD.equals(method);
    }

    @Override
    int startLineSize(HttpMessage head) {
        return line.length;
    }

    @Override
    void writeStartLine(ByteBuf buf, HttpMessage head) {
        buf.writeBytes(line);
    }

    private static byte[] statusLine(HttpResponse r) {
        HttpVersion version = r.protocolVersion();
        HttpResponseStatus status = r.status();
        int code = status.code();
        boolean standard = version == HttpVersion.HTTP_1_1 && code >= 100 && code < STATUS_LINES.length
                && status == HttpResponseStatus.valueOf(code); // valueOf answers a constant only for a standard code
        if (standard) {
            byte[] cached = STATUS_LINES[code];
            if (cached != null) return cached;
        }
        byte[] line = (version.text() + ' ' + status.codeAsText() + ' ' + status.reasonPhrase() + "\r\n").getBytes(StandardCharsets.US_ASCII);
        if (standard) STATUS_LINES[code] = line; // a benign race: every thread builds the same bytes
        return line;
    }
}
