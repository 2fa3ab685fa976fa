package yastack.api;

/** The status line and headers of one HTTP response; changes reach the client. */
public interface HttpResponseHead {
    /** The status code, e.g. 200. */
    int status();

    /** Replaces the status code sent downstream. */
    void setStatus(int status);

    /** The response headers, live. */
    HttpHeadersView headers();
}
