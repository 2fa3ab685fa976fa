package yastack.proxy.conformance;

import yastack.proxy.fixtures.ListenerFlavor;

/** {@link HttpConnectionConformance} against a userspace listener. */
class HttpConnectionConformanceUserspaceTest extends HttpConnectionConformance {
    HttpConnectionConformanceUserspaceTest() {
        super(ListenerFlavor.USERSPACE);
    }
}
