package yastack.proxy;

import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;

/**
 * The Via field values a listener appends (RFC 9110 7.6.3: the protocol received, then our
 * pseudonym), built once per config so the request path only picks one.
 */
record ViaValues(AsciiString http10, AsciiString http11, AsciiString http2) {
    /** The values for pseudonym {@code name}, or null when Via is switched off (empty name). */
    static ViaValues of(String name) {
        if (name.isEmpty()) return null;
        return new ViaValues(new AsciiString("1.0 " + name), new AsciiString("1.1 " + name), new AsciiString("2 " + name));
    }

    /** For a message received as HTTP/1.x {@code v}, or as an HTTP/2 stream. */
    AsciiString value(HttpVersion v, boolean h2Stream) {
        if (h2Stream) return http2;
        return v.minorVersion() == 0 ? http10 : http11;
    }
}
