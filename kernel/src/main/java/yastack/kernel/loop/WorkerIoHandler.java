package yastack.kernel.loop;

import io.netty.channel.IoHandle;
import io.netty.channel.IoHandler;
import io.netty.channel.IoHandlerContext;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.IoOps;
import io.netty.channel.IoRegistration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import yastack.kernel.util.Logs;

/**
 * One worker's I/O: YAStack's "one loop polls both stacks", as a Netty {@link IoHandler}.
 * Each round it runs the userspace data-path pollers, then Netty's epoll handler for host
 * sockets — without blocking when the pollers had work (or in busy mode), otherwise
 * blocking no longer than the idle strategy and the pollers' next timer allow. Host
 * sockets, the userspace stack and every Netty pipeline of this worker share the thread.
 */
public final class WorkerIoHandler implements IoHandler {
    private final IoHandler host;
    private final IdleStrategy idle;
    private final LoopStats stats;
    private final List<DataPathPoller> pollers = new ArrayList<>();
    private DataPathPoller[] pollerArray = new DataPathPoller[0];
    private final ClampedContext clamped = new ClampedContext();
    private final LoopClock clock = new LoopClock();
    private final Set<PolledRegistration> polled = new LinkedHashSet<>();

    private final int cpu;

    private WorkerIoHandler(IoHandler host, IdleStrategy idle, LoopStats stats, int cpu) {
        this.host = host;
        this.idle = idle;
        this.stats = stats;
        this.cpu = cpu;
    }

    /**
     * A factory for a group. Netty creates handlers in worker order; {@code created}
     * receives each one so the owner can add pollers to worker N later.
     *
     * @param cpuFor the CPU to pin worker N to, or -1 for no pinning
     */
    public static IoHandlerFactory factory(IoHandlerFactory hostFactory, IntFunction<IdleStrategy> idleFor,
                                           IntFunction<LoopStats> statsFor, IntFunction<Integer> cpuFor,
                                           Consumer<WorkerIoHandler> created) {
        int[] next = {0};
        return executor -> {
            int index;
            synchronized (next) {
                index = next[0]++;
            }
            WorkerIoHandler h = new WorkerIoHandler(hostFactory.newHandler(executor), idleFor.apply(index),
                    statsFor.apply(index), cpuFor.apply(index));
            created.accept(h);
            return h;
        };
    }

    /** Adds a poller; call on this worker's thread (e.g. from {@code loop.execute}). */
    public void addPoller(DataPathPoller p) {
        pollers.add(p);
        pollerArray = pollers.toArray(new DataPathPoller[0]);
    }

    public void removePoller(DataPathPoller p) {
        pollers.remove(p);
        pollerArray = pollers.toArray(new DataPathPoller[0]);
    }

    /** This worker's {@link LoopClock}; read it on the worker's thread only. */
    public LoopClock clock() {
        return clock;
    }

    /** Userspace channels ({@link PolledIoHandle}s) registered on this loop now; call on the loop's thread. */
    public int polledRegistrations() {
        return polled.size();
    }

    @Override
    public void initialize() {
        // Runs on the worker's own thread as it starts: the place to pin it.
        if (cpu >= 0 && !Affinity.pinCurrentThread(cpu)) {
            Logs.get("yastack").log(System.Logger.Level.WARNING, "could not pin worker thread to CPU " + cpu);
        }
        host.initialize();
    }

    @Override
    public int run(IoHandlerContext context) {
        long start = System.nanoTime();
        clock.set(start);
        int work = 0;
        long nextTimer = Long.MAX_VALUE;
        for (DataPathPoller p : pollerArray) {
            work += p.poll(start);
            nextTimer = Math.min(nextTimer, p.nextDeadlineNanos());
        }
        long park = -1; // -1: block in epoll exactly as plain Netty does (host sockets only)
        if (work > 0 || idle.busy() || !context.canBlock()) {
            idle.reset();
            park = 0;
        } else if (pollerArray.length > 0) {
            park = idle.onIdle();
            if (nextTimer != Long.MAX_VALUE) park = Math.min(park, Math.max(0, nextTimer - start));
        }
        // Upstream replies read in this round are written to userspace connections: one
        // transmit burst for all of them rather than one per connection.
        DataPathPoller[] ps = pollerArray;
        for (DataPathPoller p : ps) p.holdTransmit();
        int hostWork;
        if (park != 0) clock.mayWait(); // the host handler may block before it handles what it finds
        try {
            hostWork = host.run(park < 0 ? context : clamped.with(context, park));
        } finally {
            for (DataPathPoller p : ps) p.releaseTransmit();
        }
        if (hostWork > 0) idle.reset();
        stats.round(start, System.nanoTime(), work + hostWork > 0);
        return work + hostWork;
    }

    @Override
    public void prepareToDestroy() {
        closePolled();
        host.prepareToDestroy();
    }

    @Override
    public void destroy() {
        // Netty may skip prepareToDestroy when shutdown begins late in a round; close what is left
        closePolled();
        host.destroy();
    }

    private void closePolled() {
        for (PolledRegistration r : polled.toArray(new PolledRegistration[0])) {
            try {
                r.handle.close();
            } catch (Exception e) {
                Logs.get("yastack").log(System.Logger.Level.WARNING, "closing " + r.handle + " failed: " + e);
            }
        }
    }

    @Override
    public IoRegistration register(IoHandle handle) throws Exception {
        if (handle instanceof PolledIoHandle p) {
            PolledRegistration r = new PolledRegistration(p);
            polled.add(r);
            return r;
        }
        return host.register(handle);
    }

    @Override
    public void wakeup() {
        host.wakeup();
    }

    @Override
    public boolean isCompatible(Class<? extends IoHandle> handleType) {
        return PolledIoHandle.class.isAssignableFrom(handleType) || host.isCompatible(handleType);
    }

    /** Registration of a {@link PolledIoHandle}: valid until cancelled or the loop shuts down. */
    private final class PolledRegistration implements IoRegistration {
        final PolledIoHandle handle;
        private boolean valid = true;

        PolledRegistration(PolledIoHandle handle) {
            this.handle = handle;
        }

        @Override
        public <T> T attachment() {
            return null;
        }

        @Override
        public long submit(IoOps ops) {
            return 0; // readiness comes from the pollers, not from ops
        }

        @Override
        public boolean isValid() {
            return valid;
        }

        @Override
        public boolean cancel() {
            if (!valid) return false;
            valid = false;
            polled.remove(this);
            return true;
        }
    }

    /** A view of Netty's context whose blocking is capped at {@code parkNanos} (0 = never block). */
    private static final class ClampedContext implements IoHandlerContext {
        private IoHandlerContext outer;
        private long parkNanos;

        IoHandlerContext with(IoHandlerContext outer, long parkNanos) {
            this.outer = outer;
            this.parkNanos = parkNanos;
            return this;
        }

        @Override
        public boolean canBlock() {
            return parkNanos > 0 && outer.canBlock();
        }

        @Override
        public long delayNanos(long currentTimeNanos) {
            return Math.min(outer.delayNanos(currentTimeNanos), parkNanos);
        }

        @Override
        public long deadlineNanos() {
            long d = outer.deadlineNanos();
            long mine = System.nanoTime() + parkNanos;
            return d == -1 ? mine : Math.min(d, mine);
        }

        @Override
        public void reportActiveIoTime(long activeNanos) {
            outer.reportActiveIoTime(activeNanos);
        }

        @Override
        public boolean shouldReportActiveIoTime() {
            return outer.shouldReportActiveIoTime();
        }
    }
}
