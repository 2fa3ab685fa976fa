package yastack.proxy;

import java.net.InetSocketAddress;
import yastack.api.HashKey;
import yastack.api.HttpRequestHead;
import yastack.proxy.cluster.Balanced;

/**
 * The client of one exchange as its listener trusts it — the connection's peer (or the
 * PROXY protocol's source), or an {@code x-forwarded-for} entry when the listener trusts
 * proxies in front ({@link yastack.proxy.edge.ForwardingTrust}) — and what a load balancer
 * may ask about the request. Plugins, scripts, access logs and source-IP hashing all see
 * this address.
 */
final class ExchangeClient implements Balanced {
    private final HttpExchange ex;
    private InetSocketAddress address;

    ExchangeClient(HttpExchange ex) {
        this.ex = ex;
    }

    /** Decided once, from the request head as it arrived (before filters could edit x-forwarded-for). */
    InetSocketAddress address() {
        if (address == null) {
            address = ex.listener.edge().trust().client(ProxyProtocolReader.clientAddress(ex.dctx.channel()),
                    ex.request.headers().get("x-forwarded-for"));
        }
        return address;
    }

    String ip() {
        InetSocketAddress a = address();
        return a != null ? a.getAddress().getHostAddress() : ex.down.remoteAddress().toString();
    }

    @Override
    public HttpRequestHead requestHead() {
        return ex.head();
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return address();
    }

    @Override
    public long hashKey(HashKey key) {
        return HashKeys.hash(key, ex.head(), ip());
    }
}
