package yastack.proxy;

import io.netty.handler.codec.http.cookie.Cookie;
import io.netty.handler.codec.http.cookie.ServerCookieDecoder;
import yastack.api.config.HashPolicy;
import yastack.proxy.cluster.Hashing;
import yastack.proxy.cluster.LoadBalancer;
import yastack.proxy.route.QueryString;

/** The consistent-hash key of a request: a header, a cookie, a query parameter or the client IP. */
final class HashKeys {
    private HashKeys() {}

    static long hash(HashPolicy policy, NettyRequestView req) {
        String key = null;
        if (!policy.getHeader().isEmpty()) {
            key = req.header(policy.getHeader());
        } else if (!policy.getCookie().isEmpty()) {
            String header = req.header("cookie");
            if (header != null) {
                for (Cookie c : ServerCookieDecoder.LAX.decode(header)) {
                    if (c.name().equals(policy.getCookie())) {
                        key = c.value();
                        break;
                    }
                }
            }
        } else if (!policy.getQueryParameter().isEmpty()) {
            key = QueryString.parse(req.query()).get(policy.getQueryParameter());
        } else {
            key = req.remoteAddress();
        }
        return key == null ? LoadBalancer.NO_HASH : Hashing.hash64(key);
    }
}
