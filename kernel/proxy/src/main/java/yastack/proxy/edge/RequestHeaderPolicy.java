package yastack.proxy.edge;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import yastack.api.config.HeadersWithUnderscoresAction;
import yastack.kernel.stats.Counter;

/**
 * A listener's limits on the header fields of a request head, checked before filters and
 * routing see it: how many fields (Envoy's {@code max_headers_count}) and what to do with
 * names containing an underscore, which CGI-style upstreams cannot tell from a dash
 * ({@code x_user} and {@code x-user} both become {@code HTTP_X_USER}), so a client could
 * smuggle a header past a filter that checks the other spelling.
 */
public final class RequestHeaderPolicy {
    /** Envoy's edge default. */
    public static final int DEFAULT_MAX_HEADERS_COUNT = 100;
    /** Names the HTTP/2 conversion adds to a stream's request; not the client's fields. */
    private static final String HTTP2_EXTENSION_PREFIX = "x-http2-";

    /** The verdict on one request head. */
    public enum Verdict { OK, TOO_MANY_HEADERS, UNDERSCORE_REJECTED }

    private final int maxHeadersCount;
    private final HeadersWithUnderscoresAction underscores;

    public RequestHeaderPolicy(int maxHeadersCount, HeadersWithUnderscoresAction underscores) {
        this.maxHeadersCount = maxHeadersCount;
        this.underscores = underscores;
    }

    public int maxHeadersCount() {
        return maxHeadersCount;
    }

    /**
     * Checks {@code headers} (and drops underscore names when the listener says so; {@code
     * dropped} counts them). Cost: one pass over the names unless underscores are allowed
     * and the count is within the limit.
     */
    public Verdict check(HttpHeaders headers, Counter dropped) {
        if (headers.size() > maxHeadersCount && clientFields(headers) > maxHeadersCount) return Verdict.TOO_MANY_HEADERS;
        if (underscores == HeadersWithUnderscoresAction.ALLOW) return Verdict.OK;
        List<String> drop = null;
        // The names as they are (Netty's Map.Entry<String, String> view copies every field).
        for (Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence(); it.hasNext(); ) {
            CharSequence name = it.next().getKey();
            if (AsciiString.indexOf(name, '_', 0) < 0 || AsciiString.regionMatches(name, false, 0, HTTP2_EXTENSION_PREFIX, 0,
                    HTTP2_EXTENSION_PREFIX.length())) {
                continue;
            }
            if (underscores == HeadersWithUnderscoresAction.REJECT_REQUEST) return Verdict.UNDERSCORE_REJECTED;
            if (drop == null) drop = new ArrayList<>(2);
            drop.add(name.toString());
        }
        if (drop != null) {
            for (String name : drop) {
                headers.remove(name);
                dropped.inc();
            }
        }
        return Verdict.OK;
    }

    private static int clientFields(HttpHeaders headers) {
        int n = 0;
        for (Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence(); it.hasNext(); ) {
            if (!AsciiString.regionMatches(it.next().getKey(), true, 0, HTTP2_EXTENSION_PREFIX, 0, HTTP2_EXTENSION_PREFIX.length())) n++;
        }
        return n;
    }
}
