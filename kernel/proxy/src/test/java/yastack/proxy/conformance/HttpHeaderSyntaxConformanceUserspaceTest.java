package yastack.proxy.conformance;

import yastack.proxy.fixtures.ListenerFlavor;

/** {@link HttpHeaderSyntaxConformance} against a userspace listener. */
class HttpHeaderSyntaxConformanceUserspaceTest extends HttpHeaderSyntaxConformance {
    HttpHeaderSyntaxConformanceUserspaceTest() {
        super(ListenerFlavor.USERSPACE);
    }
}
