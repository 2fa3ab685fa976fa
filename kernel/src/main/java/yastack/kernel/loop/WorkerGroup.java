package yastack.kernel.loop;

import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.FastThreadLocalThread;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import yastack.kernel.stats.StatsStore;
import yastack.kernel.transport.HostTransport;

/**
 * The worker threads: one Netty event loop per worker, each running a {@link WorkerIoHandler}
 * that polls the userspace data path and the host sockets on the same thread. The kernel owns
 * the loops; the proxy engine and the data plane only put work on them.
 */
public final class WorkerGroup implements AutoCloseable {
    private final MultiThreadIoEventLoopGroup group;
    private final List<EventLoop> loops = new ArrayList<>();
    private final List<WorkerIoHandler> handlers = Collections.synchronizedList(new ArrayList<>());
    private final HostTransport host;

    private WorkerGroup(int count, String idle, List<Integer> cores, String transport, StatsStore stats) {
        this.host = HostTransport.select(transport);
        this.group = new MultiThreadIoEventLoopGroup(count, workerThreads(),
                WorkerIoHandler.factory(host.ioHandlerFactory(), i -> IdleStrategy.of(idle, false),
                        i -> new LoopStats(stats.worker(i), i), i -> i < cores.size() ? cores.get(i) : -1, handlers::add));
        for (EventExecutor e : group) loops.add((EventLoop) e);
    }

    /**
     * Netty's own thread class: its recycler keeps pooled objects (the outbound buffer's entries,
     * one per write) and its allocator keeps per-thread caches only for these; on plain threads
     * they are allocated afresh (~310 B per proxied request, ~3% of its CPU, bench/README.md).
     */
    private static ThreadFactory workerThreads() {
        AtomicInteger next = new AtomicInteger();
        return r -> new FastThreadLocalThread(r, "worker-" + next.getAndIncrement());
    }

    /**
     * Starts {@code count} workers.
     *
     * @param idle the idle strategy's name ({@code stack.idle}: "" for the default)
     * @param cores the CPU to pin worker N to ({@code stack.cores}); workers past its end are not pinned
     * @param transport the host transport to use ({@link HostTransport#select}: "" for auto)
     * @throws IllegalStateException when the named transport cannot run here
     */
    public static WorkerGroup start(int count, String idle, List<Integer> cores, String transport, StatsStore stats) {
        return new WorkerGroup(count, idle, List.copyOf(cores), transport, stats);
    }

    public int size() {
        return loops.size();
    }

    /** Worker {@code index}'s event loop: everything of that worker runs on it. */
    public EventLoop loop(int index) {
        return loops.get(index);
    }

    /** Worker {@code index}'s {@link LoopClock} (read on that worker's thread). */
    public LoopClock clock(int index) {
        return handlers.get(index).clock();
    }

    /** Runs tasks on worker {@code index}'s thread, in order with its polling. */
    public Executor executor(int index) {
        return loops.get(index);
    }

    /** The whole group (for a host listener that accepts on one socket for every worker). */
    public MultiThreadIoEventLoopGroup group() {
        return group;
    }

    /** How host-flavor sockets are made on these loops (io_uring, epoll or NIO). */
    public HostTransport hostTransport() {
        return host;
    }

    /** Adds a userspace data-path poller to worker {@code index}'s loop (it runs on that loop). */
    public void addPoller(int index, DataPathPoller poller) {
        loops.get(index).execute(() -> handlers.get(index).addPoller(poller));
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
    }
}
