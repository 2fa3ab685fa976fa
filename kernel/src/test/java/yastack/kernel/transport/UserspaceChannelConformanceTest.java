package yastack.kernel.transport;

/** The suite over the userspace stack: two shards on an in-memory switch, each on its own worker loop. */
class UserspaceChannelConformanceTest extends ChannelConformanceSuite {
    @Override
    protected Fixture newFixture() throws Exception {
        return new UserspaceFixture();
    }
}
