package yastack.proxy.conformance;

import yastack.proxy.fixtures.ListenerFlavor;

/** {@link HttpUpstreamResponseConformance} against a host listener. */
class HttpUpstreamResponseConformanceHostTest extends HttpUpstreamResponseConformance {
    HttpUpstreamResponseConformanceHostTest() {
        super(ListenerFlavor.HOST);
    }
}
