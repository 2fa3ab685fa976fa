package yastack.proxy.conformance;

import yastack.proxy.fixtures.ListenerFlavor;

/** {@link HttpRequestFramingConformance} against a host listener. */
class HttpRequestFramingConformanceHostTest extends HttpRequestFramingConformance {
    HttpRequestFramingConformanceHostTest() {
        super(ListenerFlavor.HOST);
    }
}
