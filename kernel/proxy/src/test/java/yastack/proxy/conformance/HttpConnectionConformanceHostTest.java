package yastack.proxy.conformance;

import yastack.proxy.fixtures.ListenerFlavor;

/** {@link HttpConnectionConformance} against a host listener. */
class HttpConnectionConformanceHostTest extends HttpConnectionConformance {
    HttpConnectionConformanceHostTest() {
        super(ListenerFlavor.HOST);
    }
}
