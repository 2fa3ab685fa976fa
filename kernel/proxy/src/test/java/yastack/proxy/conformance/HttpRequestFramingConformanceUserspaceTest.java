package yastack.proxy.conformance;

import yastack.proxy.fixtures.ListenerFlavor;

/** {@link HttpRequestFramingConformance} against a userspace listener. */
class HttpRequestFramingConformanceUserspaceTest extends HttpRequestFramingConformance {
    HttpRequestFramingConformanceUserspaceTest() {
        super(ListenerFlavor.USERSPACE);
    }
}
