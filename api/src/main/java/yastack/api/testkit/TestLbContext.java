package yastack.api.testkit;

import java.net.InetSocketAddress;
import yastack.api.HttpRequestHead;
import yastack.api.LoadBalancer;

/** A load-balancing context with a settable request, client address and hash key. */
public final class TestLbContext implements LoadBalancer.LbContext {
    private HttpRequestHead request;
    private InetSocketAddress remote = new InetSocketAddress("192.0.2.10", 50123);
    private String cluster = "test";
    private long hashKey = NO_HASH_KEY;

    public TestLbContext request(HttpRequestHead r) {
        request = r;
        return this;
    }

    public TestLbContext remote(String ip, int port) {
        remote = new InetSocketAddress(ip, port);
        return this;
    }

    public TestLbContext cluster(String name) {
        cluster = name;
        return this;
    }

    public TestLbContext hashKey(long key) {
        hashKey = key;
        return this;
    }

    @Override public HttpRequestHead request() { return request; }
    @Override public InetSocketAddress downstreamRemoteAddress() { return remote; }
    @Override public String cluster() { return cluster; }
    @Override public long hashKey() { return hashKey; }
}
