package yastack.proxy;

import io.netty.util.AsciiString;
import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * A worker's last client address as text (for X-Forwarded-For and the access log). Clients
 * come back, and behind a load balancer a worker sees a handful of addresses: comparing with
 * the last one costs less than formatting and keeping a String per connection. One entry, on
 * the worker; confined to the worker's event loop.
 */
final class AddressMemo {
    private InetAddress address;
    private AsciiString text;

    /** As bytes: written into X-Forwarded-For with one array copy (its toString() is kept once made). */
    AsciiString text(InetAddress a) {
        // Inet6Address.equals ignores the scope, which the text carries ("fe80::1%eth0").
        boolean scoped = a instanceof Inet6Address v6 && (v6.getScopeId() != 0 || v6.getScopedInterface() != null);
        if (scoped) return new AsciiString(a.getHostAddress());
        if (!a.equals(address)) {
            text = new AsciiString(a.getHostAddress());
            address = a;
        }
        return text;
    }
}
