package yastack.kernel.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import yastack.kernel.stats.StatsStore;

/** One loop serves Netty tasks and userspace pollers on one thread, and honours poller timers. */
class WorkerIoHandlerTest {
    private static MultiThreadIoEventLoopGroup group(String idle, StatsStore stats, List<WorkerIoHandler> handlers) {
        return new MultiThreadIoEventLoopGroup(1, WorkerIoHandler.factory(EpollIoHandler.newFactory(),
                i -> IdleStrategy.of(idle, false), i -> new LoopStats(stats.worker(i), i), i -> -1, handlers::add));
    }

    /**
     * The loop clock holds still within a round (two reads in one task agree) and moves on
     * after the loop may have waited: a task scheduled 50 ms later sees it at least 50 ms on.
     */
    @Test
    void loopClockHoldsWithinARoundAndMovesAfterAWait() throws Exception {
        for (String idle : new String[] {"", "adaptive"}) { // host sockets only; with a poller's idle strategy
            StatsStore stats = new StatsStore(1);
            List<WorkerIoHandler> handlers = Collections.synchronizedList(new ArrayList<>());
            MultiThreadIoEventLoopGroup g = group(idle, stats, handlers);
            try {
                EventLoop loop = g.next();
                if (!idle.isEmpty()) loop.submit(() -> handlers.getFirst().addPoller(now -> 0)).sync();
                LoopClock clock = loop.submit(() -> handlers.getFirst().clock()).get();
                long[] first = loop.submit(() -> {
                    long a = clock.nanoTime();
                    Thread.sleep(5);
                    return new long[] {a, clock.nanoTime(), System.nanoTime()};
                }).get();
                assertEquals(first[0], first[1], "one value through a round");
                assertTrue(first[2] - first[1] >= 5_000_000L, "the real clock moved meanwhile");
                long later = loop.schedule(clock::nanoTime, 50, TimeUnit.MILLISECONDS).get();
                assertTrue(later - first[0] >= 50_000_000L, idle + ": after the wait the clock moved on: " + (later - first[0]));
                assertTrue(System.nanoTime() - later >= 0, "never ahead of the real clock");
            } finally {
                g.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
            }
        }
    }

    @Test
    void pollerAndNettyTasksShareOneThread() throws Exception {
        StatsStore stats = new StatsStore(1);
        List<WorkerIoHandler> handlers = Collections.synchronizedList(new ArrayList<>());
        MultiThreadIoEventLoopGroup g = group("adaptive", stats, handlers);
        try {
            EventLoop loop = g.next();
            AtomicInteger frames = new AtomicInteger(1000);
            CompletableFuture<Thread> pollerThread = new CompletableFuture<>();
            CountDownLatch drained = new CountDownLatch(1);
            loop.submit(() -> handlers.getFirst().addPoller(now -> {
                pollerThread.complete(Thread.currentThread());
                int left = frames.get();
                if (left == 0) return 0;
                int burst = Math.min(32, left);
                if (frames.addAndGet(-burst) == 0) drained.countDown();
                return burst;
            })).sync();
            assertTrue(drained.await(5, TimeUnit.SECONDS), "poller was not driven to completion");
            Thread taskThread = loop.submit(Thread::currentThread).get();
            assertEquals(taskThread, pollerThread.get());
            assertTrue(stats.value("worker.0.loop_busy_polls") > 0);
        } finally {
            g.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    @Test
    void idleLoopWakesForThePollersNextTimer() throws Exception {
        StatsStore stats = new StatsStore(1);
        List<WorkerIoHandler> handlers = Collections.synchronizedList(new ArrayList<>());
        MultiThreadIoEventLoopGroup g = group("adaptive", stats, handlers);
        try {
            EventLoop loop = g.next();
            AtomicLong due = new AtomicLong();
            CountDownLatch fired = new CountDownLatch(1);
            loop.submit(() -> {
                due.set(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(30));
                handlers.getFirst().addPoller(new DataPathPoller() {
                    @Override
                    public int poll(long now) {
                        if (now >= due.get() && fired.getCount() > 0) {
                            fired.countDown();
                            return 1;
                        }
                        return 0;
                    }

                    @Override
                    public long nextDeadlineNanos() {
                        return fired.getCount() > 0 ? due.get() : Long.MAX_VALUE;
                    }
                });
            }).sync();
            assertTrue(fired.await(2, TimeUnit.SECONDS), "timer due in 30 ms never fired");
        } finally {
            g.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    @Test
    void busyModeNeverBlocksWhileAdaptiveParks() throws Exception {
        long busy = pollsInIdleWindow("busy");
        long adaptive = pollsInIdleWindow("adaptive");
        // Busy keeps polling with nothing to do; adaptive spins, yields, then parks in epoll.
        assertTrue(busy > 10 * adaptive, "busy " + busy + " vs adaptive " + adaptive + " rounds in 300 ms");
    }

    private static long pollsInIdleWindow(String idle) throws Exception {
        StatsStore stats = new StatsStore(1);
        List<WorkerIoHandler> handlers = Collections.synchronizedList(new ArrayList<>());
        MultiThreadIoEventLoopGroup g = group(idle, stats, handlers);
        try {
            AtomicLong polls = new AtomicLong();
            g.next().submit(() -> handlers.getFirst().addPoller(now -> {
                polls.incrementAndGet();
                return 0;
            })).sync();
            Thread.sleep(200); // past the spin and yield phases
            long start = polls.get();
            Thread.sleep(300);
            return polls.get() - start;
        } finally {
            g.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    @Test
    void hostSocketEventsRunWhileThePollersHoldTheirTransmit() throws Exception {
        StatsStore stats = new StatsStore(1);
        List<WorkerIoHandler> handlers = Collections.synchronizedList(new ArrayList<>());
        MultiThreadIoEventLoopGroup g = group("adaptive", stats, handlers);
        int[] held = {0};
        AtomicInteger holds = new AtomicInteger(), releases = new AtomicInteger();
        CompletableFuture<Integer> heldDuringRead = new CompletableFuture<>();
        try {
            EventLoop loop = g.next();
            loop.submit(() -> handlers.getFirst().addPoller(new DataPathPoller() {
                @Override
                public int poll(long now) {
                    return 0;
                }

                @Override
                public void holdTransmit() {
                    held[0]++;
                    holds.incrementAndGet();
                }

                @Override
                public void releaseTransmit() {
                    held[0]--;
                    releases.incrementAndGet();
                }
            })).sync();
            Channel server = new ServerBootstrap().group(g)
                    .channel(EpollServerSocketChannel.class)
                    .childHandler(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            ReferenceCountUtil.release(msg);
                            heldDuringRead.complete(held[0]);
                        }
                    }).bind("127.0.0.1", 0).sync().channel();
            int port = ((InetSocketAddress) server.localAddress()).getPort();
            try (Socket client = new Socket("127.0.0.1", port)) {
                client.getOutputStream().write(new byte[] {1, 2, 3});
                assertEquals(1, heldDuringRead.get(5, TimeUnit.SECONDS), "a host read runs inside the hold");
            }
            server.close().sync();
            int[] balance = loop.submit(() -> new int[] {held[0], holds.get() - releases.get()}).get();
            assertEquals(0, balance[0], "every hold was released by the end of its round");
            assertEquals(0, balance[1]);
            assertTrue(holds.get() > 0);
        } finally {
            g.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }
}
