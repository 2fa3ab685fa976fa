package yastack.kernel.transport;

import org.junit.jupiter.api.BeforeAll;
import yastack.kernel.fixtures.TapLink;

/**
 * The suite with a userspace server and epoll clients, joined over a TAP device: the Linux
 * kernel's TCP against the userspace stack's. Needs root; fails (does not skip) without it.
 */
class UserspaceServerHostClientConformanceTest extends ChannelConformanceSuite {
    @BeforeAll
    static void requirements() {
        TapLink.require();
    }

    @Override
    protected Fixture newFixture() throws Exception {
        return new CrossFlavorFixture(true);
    }
}
