package yastack.api;

import java.util.Objects;
import yastack.api.config.HashPolicy;

/**
 * Where a request's consistent-hash key comes from (Envoy's {@code hash_policy}): a header, a
 * cookie, a query parameter, or the client's IP address.
 */
public record HashKey(Source source, String name) {
    public enum Source { HEADER, COOKIE, QUERY_PARAMETER, SOURCE_IP }

    /** The client's IP address: the default key of ring_hash and maglev clusters. */
    public static final HashKey SOURCE_IP = new HashKey(Source.SOURCE_IP, "");

    public HashKey {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(name, "name");
        if (source != Source.SOURCE_IP && name.isEmpty()) throw new IllegalArgumentException(source + " needs a name");
    }

    public static HashKey header(String name) {
        return new HashKey(Source.HEADER, name);
    }

    public static HashKey cookie(String name) {
        return new HashKey(Source.COOKIE, name);
    }

    public static HashKey queryParameter(String name) {
        return new HashKey(Source.QUERY_PARAMETER, name);
    }

    /** The key a config's {@code hash_policy} names (the client's IP when it names none). */
    public static HashKey of(HashPolicy p) {
        if (!p.getHeader().isEmpty()) return header(p.getHeader());
        if (!p.getCookie().isEmpty()) return cookie(p.getCookie());
        if (!p.getQueryParameter().isEmpty()) return queryParameter(p.getQueryParameter());
        return SOURCE_IP;
    }
}
