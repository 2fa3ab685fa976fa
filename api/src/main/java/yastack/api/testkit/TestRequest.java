package yastack.api.testkit;

import yastack.api.HttpHeadersView;
import yastack.api.HttpRequestHead;

/** A mutable request head. */
public final class TestRequest implements HttpRequestHead {
    private final TestHeaders headers = new TestHeaders();
    private final String method;
    private String uri;

    public TestRequest(String method, String uri) {
        this.method = method;
        this.uri = uri;
    }

    /** Adds a header and returns this request (for chaining in tests). */
    public TestRequest header(String name, String value) {
        headers.add(name, value);
        return this;
    }

    @Override
    public String method() {
        return method;
    }

    @Override
    public String uri() {
        return uri;
    }

    @Override
    public void setUri(String uri) {
        this.uri = uri;
    }

    @Override
    public String protocol() {
        return "HTTP/1.1";
    }

    @Override
    public HttpHeadersView headers() {
        return headers;
    }
}
