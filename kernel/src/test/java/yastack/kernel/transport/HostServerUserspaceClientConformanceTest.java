package yastack.kernel.transport;

import org.junit.jupiter.api.BeforeAll;
import yastack.kernel.fixtures.TapLink;

/**
 * The suite with an epoll server and userspace clients, joined over a TAP device: the userspace
 * stack's TCP against the Linux kernel's. Needs root; fails (does not skip) without it.
 */
class HostServerUserspaceClientConformanceTest extends ChannelConformanceSuite {
    @BeforeAll
    static void requirements() {
        TapLink.require();
    }

    @Override
    protected Fixture newFixture() throws Exception {
        return new CrossFlavorFixture(false);
    }
}
