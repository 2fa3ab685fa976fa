package yastack.api;

/**
 * The request line and headers of one HTTP request. Changes made by a filter
 * or a router are what the upstream receives.
 */
public interface HttpRequestHead {
    /** The method, e.g. {@code GET}. */
    String method();

    /** The request target as sent: path plus optional {@code ?query}. */
    String uri();

    /** Replaces the request target (path and query) sent upstream. */
    void setUri(String uri);

    /** The path part of {@link #uri()}, without the query. */
    default String path() {
        String u = uri();
        int q = u.indexOf('?');
        return q < 0 ? u : u.substring(0, q);
    }

    /** The query part of {@link #uri()} without {@code ?}, or {@code ""}. */
    default String query() {
        String u = uri();
        int q = u.indexOf('?');
        return q < 0 ? "" : u.substring(q + 1);
    }

    /** The {@code host} header (HTTP/1.1) or {@code :authority}; {@code ""} if absent. */
    default String authority() {
        String h = headers().get("host");
        return h == null ? "" : h;
    }

    /** {@code HTTP/1.1}, {@code HTTP/1.0} or {@code HTTP/2}. */
    String protocol();

    /** The request headers, live. */
    HttpHeadersView headers();
}
