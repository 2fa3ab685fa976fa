package yastack.kernel.transport;

/** The suite over Netty's epoll sockets on 127.0.0.1: the reference behaviour. */
class HostChannelConformanceTest extends ChannelConformanceSuite {
    @Override
    protected Fixture newFixture() {
        return new HostFixture();
    }
}
