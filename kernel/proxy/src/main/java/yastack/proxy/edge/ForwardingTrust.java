package yastack.proxy.edge;

import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * How far a listener trusts what the client says about itself, with Envoy's semantics of
 * {@code use_remote_address} and {@code xff_num_trusted_hops}:
 * <ul>
 * <li>{@code use_remote_address: true} (the default): the connection's peer (or the address a
 * PROXY protocol header named) is the client, and is appended to {@code x-forwarded-for};
 * with {@code xff_num_trusted_hops: N > 0} the proxies in front are trusted and the client
 * is the N-th address from the right of the {@code x-forwarded-for} received.</li>
 * <li>{@code use_remote_address: false}: the client is the (N+1)-th address from the right of
 * {@code x-forwarded-for} (the last one by default), which goes upstream unchanged.</li>
 * </ul>
 * A request is <em>external</em> when nothing in front is trusted ({@code use_remote_address}
 * with no trusted hops): then {@code x-forwarded-proto} is set from the connection and a
 * client's {@code x-request-id} is replaced (unless {@code preserve_external_request_id}).
 * Where {@code x-forwarded-for} has too few entries, or the one chosen is not an IP address,
 * the peer is the client.
 */
public record ForwardingTrust(boolean useRemoteAddress, int trustedHops, boolean preserveExternalRequestId) {
    public static final ForwardingTrust EDGE = new ForwardingTrust(true, 0, false);

    /** Whether nothing the client sent about its origin is believed. */
    public boolean external() {
        return useRemoteAddress && trustedHops == 0;
    }

    /** Whether the proxy appends the peer's address to x-forwarded-for. */
    public boolean appendsForwardedFor() {
        return useRemoteAddress;
    }

    /** Whether a client's x-forwarded-proto is replaced with the connection's scheme. */
    public boolean overwritesForwardedProto() {
        return external();
    }

    /** Whether a client's x-request-id goes upstream (else the proxy makes one). */
    public boolean keepsRequestId() {
        return !external() || preserveExternalRequestId;
    }

    /**
     * The client as this listener trusts it: {@code peer}, or an address taken from the
     * {@code x-forwarded-for} value {@code xff} (port 0).
     */
    public InetSocketAddress client(InetSocketAddress peer, String xff) {
        if (external() || xff == null || xff.isBlank()) return peer;
        // From the right: entry 0 is the last one.
        int fromRight = useRemoteAddress ? trustedHops - 1 : trustedHops;
        String entry = entryFromRight(xff, fromRight);
        if (entry == null) return peer;
        InetAddress a = literal(entry);
        return a == null ? peer : new InetSocketAddress(a, 0);
    }

    /** The {@code n}-th comma-separated entry from the right (0 = last), trimmed; null when there are fewer. */
    static String entryFromRight(String xff, int n) {
        int end = xff.length();
        for (int i = 0; ; i++) {
            int comma = xff.lastIndexOf(',', end - 1);
            if (i == n) return xff.substring(comma + 1, end).trim();
            if (comma < 0) return null;
            end = comma;
        }
    }

    /** An IPv4 or IPv6 literal (brackets allowed), never a name lookup; null otherwise. */
    static InetAddress literal(String s) {
        String t = s.startsWith("[") && s.endsWith("]") ? s.substring(1, s.length() - 1) : s;
        if (t.isEmpty()) return null;
        try {
            return InetAddress.ofLiteral(t);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
