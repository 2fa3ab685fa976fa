package yastack.api.testkit;

import yastack.api.HttpHeadersView;
import yastack.api.HttpResponseHead;

/** A mutable response head. */
public final class TestResponse implements HttpResponseHead {
    private final TestHeaders headers = new TestHeaders();
    private int status;

    public TestResponse(int status) {
        this.status = status;
    }

    public TestResponse header(String name, String value) {
        headers.add(name, value);
        return this;
    }

    @Override
    public int status() {
        return status;
    }

    @Override
    public void setStatus(int status) {
        this.status = status;
    }

    @Override
    public HttpHeadersView headers() {
        return headers;
    }
}
