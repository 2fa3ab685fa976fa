package yastack.proxy;

import io.netty.util.AsciiString;
import yastack.api.HttpRequestHead;

/**
 * A worker's last request authority and host, as Strings. Keep-alive clients, and most
 * clients of one site, send the same Host on every request: comparing it with the last one
 * costs less than making two Strings for each request (the authority, and the host without
 * its port that routes match). One entry, on the worker, so an idle connection holds none.
 * Confined to the worker's event loop.
 */
final class AuthorityMemo {
    private String authority = "";
    private String hostOf = "";
    private String host = "";

    /** {@code field} as a String: the last one if it has the same characters. */
    String authority(CharSequence field) {
        if (!AsciiString.contentEquals(authority, field)) authority = field.toString();
        return authority;
    }

    /** {@link HttpRequestHead#hostOf}{@code (authority)}: the last answer if asked about the same String again. */
    String host(String authority) {
        if (authority != hostOf) { // identity: the memo above hands out the same instance for the same text
            host = HttpRequestHead.hostOf(authority);
            hostOf = authority;
        }
        return host;
    }
}
