package yastack.kernel.dataplane;

import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import yastack.api.SteeringPolicy;
import yastack.api.config.Interface;
import yastack.api.config.Rss;
import yastack.api.config.Stack;
import yastack.api.config.SteeringRef;
import yastack.kernel.fixtures.BuiltInSteering;
import yastack.kernel.io.MacAddress;
import yastack.kernel.io.mem.MemorySwitch;
import yastack.kernel.loop.WorkerGroup;
import yastack.kernel.stats.StatsStore;

/**
 * A data plane on real worker loops (the kernel's worker group), with ports from the config's backends or
 * from an in-memory switch. Closes everything it started.
 */
final class Rig implements AutoCloseable {
    final StatsStore stats;
    final WorkerGroup workers;
    final Dataplane dp;

    private Rig(Stack stack, int workers, PortOpener opener) {
        this(stack, workers, opener, BuiltInSteering.POLICIES);
    }


    private Rig(Stack stack, int workers, PortOpener opener, Function<String, SteeringPolicy> policies) {
        stats = new StatsStore(workers);
        this.workers = WorkerGroup.start(workers, stack.getIdle(), stack.getCoresList(), "", stats);
        try {
            dp = Dataplane.start(stack, DataplaneHost.of(this.workers), stats, opener, policies);
        } catch (RuntimeException e) {
            this.workers.close();
            throw e;
        }
    }

    static Rig start(Stack stack, int workers, PortOpener opener) {
        return new Rig(stack, workers, opener);
    }

    /** An in-memory interface {@code name} with {@code cidr} on {@code sw}. */
    static Rig memory(MemorySwitch sw, String name, String cidr, int workers, String rssMode, String steering) {
        return memory(sw, name, cidr, workers, rssMode, steering, 0);
    }

    /** As above; {@code dispatchCore > 0} runs the distributor on its own thread pinned there. */
    static Rig memory(MemorySwitch sw, String name, String cidr, int workers, String rssMode, String steering, int dispatchCore) {
        return memory(sw, name, cidr, workers, rssMode, steering, dispatchCore, BuiltInSteering.POLICIES);
    }

    static Rig memory(MemorySwitch sw, String name, String cidr, int workers, String rssMode, String steering, int dispatchCore,
                      Function<String, SteeringPolicy> policies) {
        Stack.Builder s = Stack.newBuilder().setIdle("adaptive")
                .setRss(Rss.newBuilder().setMode(rssMode).setSteering(SteeringRef.newBuilder().setPlugin(steering))
                        .setDispatchCore(dispatchCore))
                .addInterfaces(Interface.newBuilder().setName(name).setBackend("memory").setIp(cidr));
        return new Rig(s.build(), workers,
                (spec, queues, hw) -> sw.attach(spec.name(), MacAddress.randomLocal(), queues, 1500, 4096), policies);
    }

    <T> T onWorker(int w, Supplier<T> work) {
        try {
            return dp.onWorker(w, work).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("task on worker " + w + " failed", e);
        }
    }

    @Override
    public void close() {
        try {
            dp.close();
        } finally {
            workers.close();
        }
    }
}
