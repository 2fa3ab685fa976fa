package yastack.proxy.cluster;

import java.net.InetSocketAddress;
import yastack.api.HashKey;
import yastack.api.HttpRequestHead;

/** What a pick knows of the request or connection it balances. */
public interface Balanced {
    /** The request, or {@code null} for a TCP connection. */
    HttpRequestHead requestHead();

    /** The client's address, or {@code null}. */
    InetSocketAddress remoteAddress();

    /** The consistent-hash key {@code key} names in this request, or {@link yastack.api.LoadBalancer.LbContext#NO_HASH_KEY}. */
    long hashKey(HashKey key);
}
