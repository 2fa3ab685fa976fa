package yastack.proxy.conformance;

import yastack.proxy.fixtures.ListenerFlavor;

/** {@link HttpUpstreamResponseConformance} against a userspace listener. */
class HttpUpstreamResponseConformanceUserspaceTest extends HttpUpstreamResponseConformance {
    HttpUpstreamResponseConformanceUserspaceTest() {
        super(ListenerFlavor.USERSPACE);
    }
}
