package yastack.proxy;

import io.netty.handler.codec.http.HttpVersion;

/**
 * The Via field values a listener appends (RFC 9110 7.6.3: the protocol received, then our
 * pseudonym), built once per config so the request path only picks one.
 */
record ViaValues(String http10, String http11, String http2) {
    /** The values for pseudonym {@code name}, or null when Via is switched off (empty name). */
    static ViaValues of(String name) {
        return name.isEmpty() ? null : new ViaValues("1.0 " + name, "1.1 " + name, "2 " + name);
    }

    /** For a message received as HTTP/1.x {@code v}, or as an HTTP/2 stream. */
    String value(HttpVersion v, boolean h2Stream) {
        if (h2Stream) return http2;
        return v.minorVersion() == 0 ? http10 : http11;
    }
}
