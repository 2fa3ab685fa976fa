package yastack.kernel.transport;

import io.netty.channel.IoEventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import yastack.kernel.loop.DataPathPoller;
import yastack.kernel.loop.IdleStrategy;
import yastack.kernel.loop.LoopStats;
import yastack.kernel.loop.WorkerIoHandler;
import yastack.kernel.stats.StatsStore;

/** One worker thread: a Netty loop whose {@link WorkerIoHandler} polls userspace sources and epoll. */
final class Worker implements AutoCloseable {
    private final MultiThreadIoEventLoopGroup group;
    private final WorkerIoHandler handler;

    Worker() {
        StatsStore stats = new StatsStore(1);
        CompletableFuture<WorkerIoHandler> created = new CompletableFuture<>();
        group = new MultiThreadIoEventLoopGroup(1, WorkerIoHandler.factory(EpollIoHandler.newFactory(),
                i -> IdleStrategy.of("adaptive", false), i -> new LoopStats(stats.worker(i), i), i -> -1,
                created::complete));
        handler = created.join();
    }

    IoEventLoop loop() {
        return (IoEventLoop) group.next();
    }

    void addPoller(DataPathPoller p) throws Exception {
        loop().submit(() -> handler.addPoller(p)).get(5, TimeUnit.SECONDS);
    }

    /** Userspace channels registered on the loop now. */
    int polledRegistrations() throws Exception {
        return loop().submit(handler::polledRegistrations).get(5, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
