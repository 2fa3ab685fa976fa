package yastack.kernel.transport;

/** The suite with both shards, so client and server channels, on one worker loop and thread. */
class UserspaceOneLoopConformanceTest extends ChannelConformanceSuite {
    @Override
    protected Fixture newFixture() throws Exception {
        return new UserspaceFixture(true);
    }
}
