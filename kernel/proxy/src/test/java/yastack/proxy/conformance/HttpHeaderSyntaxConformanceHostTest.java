package yastack.proxy.conformance;

import yastack.proxy.fixtures.ListenerFlavor;

/** {@link HttpHeaderSyntaxConformance} against a host listener. */
class HttpHeaderSyntaxConformanceHostTest extends HttpHeaderSyntaxConformance {
    HttpHeaderSyntaxConformanceHostTest() {
        super(ListenerFlavor.HOST);
    }
}
