package yastack.proxy;

import io.netty.handler.codec.http.cookie.Cookie;
import io.netty.handler.codec.http.cookie.ServerCookieDecoder;
import yastack.api.HashKey;
import yastack.api.Hashing;
import yastack.api.HttpRequestHead;
import yastack.api.LoadBalancer;

/** The consistent-hash key of a request: a header, a cookie, a query parameter or the client IP. */
final class HashKeys {
    private HashKeys() {}

    /** @param request null for a TCP connection, which has only its client IP */
    static long hash(HashKey key, HttpRequestHead request, String clientIp) {
        String value = switch (key.source()) {
            case SOURCE_IP -> clientIp;
            case HEADER -> request == null ? null : request.headers().get(key.name());
            case COOKIE -> request == null ? null : cookie(request.headers().get("cookie"), key.name());
            case QUERY_PARAMETER -> request == null ? null : request.queryParameter(key.name());
        };
        return value == null ? LoadBalancer.LbContext.NO_HASH_KEY : Hashing.hash64(value);
    }

    private static String cookie(String header, String name) {
        if (header == null) return null;
        for (Cookie c : ServerCookieDecoder.LAX.decode(header)) if (c.name().equals(name)) return c.value();
        return null;
    }
}
