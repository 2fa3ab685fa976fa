package yastack.proxy;

import io.netty.channel.ChannelHandler;
import io.netty.handler.codec.http.HttpRequest;
import java.net.InetSocketAddress;
import yastack.api.HashKey;
import yastack.api.HttpRequestHead;
import yastack.proxy.cluster.Balanced;

/** Lets benchmarks build the engine's package-private request views as an exchange does. */
public final class BenchAccess {
    private BenchAccess() {}

    public static HttpRequestHead head(HttpRequest request) {
        return new RequestHead(request, RequestChecks.target(request), new AuthorityMemo());
    }

    /** A downstream connection's HTTP/1.1 codec, as a listener installs it. */
    public static ChannelHandler downstreamCodec() {
        return new DownstreamCodec(64 * 1024, 0);
    }

    /** An upstream connection's HTTP/1.1 codec, as a cluster's pool installs it. */
    public static ChannelHandler upstreamCodec() {
        return new UpstreamCodec();
    }

    /** What an exchange offers a balancer: its request, client and hash keys. */
    public static Balanced balanced(HttpRequestHead head, String clientIp) {
        InetSocketAddress client = new InetSocketAddress(clientIp, 50000);
        return new Balanced() {
            @Override public HttpRequestHead requestHead() { return head; }
            @Override public InetSocketAddress remoteAddress() { return client; }
            @Override public long hashKey(HashKey key) { return HashKeys.hash(key, head, clientIp); }
        };
    }
}
