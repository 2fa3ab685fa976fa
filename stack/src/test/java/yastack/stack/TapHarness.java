package yastack.stack;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

/**
 * Runs one NetStack on its own thread against a fresh TAP device whose kernel side has an address in a private
 * /24, with offloads off. The device is deleted on close. Optional seeded loss on the stack's transmit side.
 */
final class TapHarness implements AutoCloseable {
    private static int counter;

    final String dev;
    final String kernelIp;
    final String stackIp;
    final NetStack stack;
    private final TapDevice tap;
    private final Thread loop;
    private volatile boolean running = true;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final Arena arena = Arena.ofShared();
    private final MemorySegment rx;
    private final MemorySegment tx;
    private final SplittableRandom lossRnd = new SplittableRandom(1234);
    volatile Throwable failure;
    /** Seeded loss/reorder/duplication applied by the harness itself (both directions), for kernels without netem. */
    volatile double loss, reorder, dup;
    volatile boolean impairReceive;
    private record Held(byte[] frame, boolean toKernel, long at) {}
    private final java.util.PriorityQueue<Held> held = new java.util.PriorityQueue<>((a, b) -> Long.compare(a.at, b.at));

    /** Returns true when the frame was taken over (dropped or delayed) by the impairment. */
    private boolean impair(MemorySegment f, int len, boolean toKernel) {
        if ((loss == 0 && reorder == 0 && dup == 0) || (!toKernel && !impairReceive)) {
            return false;
        }
        if (lossRnd.nextDouble() < loss) {
            return true;
        }
        if (lossRnd.nextDouble() < dup) {
            held.add(new Held(f.asSlice(0, len).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), toKernel, System.nanoTime()));
        }
        if (lossRnd.nextDouble() < reorder) {
            held.add(new Held(f.asSlice(0, len).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), toKernel,
                    System.nanoTime() + 500_000 + lossRnd.nextLong(2_000_000)));
            return true;
        }
        return false;
    }

    private void releaseHeld() throws Throwable {
        long now = System.nanoTime();
        while (!held.isEmpty() && held.peek().at <= now) {
            Held x = held.poll();
            MemorySegment m = MemorySegment.ofArray(x.frame);
            if (x.toKernel) {
                MemorySegment.copy(m, 0, heldTx, 0, x.frame.length);
                tap.write(heldTx, x.frame.length);
            } else {
                stack.input(m, x.frame.length);
            }
        }
    }

    private MemorySegment heldTx;

    static boolean isRoot() {
        return uid() == 0;
    }

    private static int uid() {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return Integer.parseInt(line.split("\\s+")[1]);
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return -1;
    }

    static synchronized int nextId() {
        return ++counter;
    }

    TapHarness(java.util.function.Consumer<StackConfig> tune) throws Throwable {
        int id = nextId();
        long pid = ProcessHandle.current().pid();
        dev = "ys" + (pid % 100000) + "t" + id;
        int net = (int) ((pid * 7 + id * 13) % 200) + 20;
        kernelIp = "10.213." + net + ".1";
        stackIp = "10.213." + net + ".2";
        tap = TapDevice.open(dev);
        try {
            sh("ip", "link", "set", "dev", dev, "up");
            sh("ip", "addr", "add", kernelIp + "/24", "dev", dev);
            if (run("ethtool", "-K", dev, "tx", "off", "tso", "off", "gso", "off", "gro", "off") != 0) {
                run("sh", "-c", "apt-get install -y ethtool >/dev/null 2>&1");
                sh("ethtool", "-K", dev, "tx", "off", "tso", "off", "gso", "off", "gro", "off");
            }
            rx = arena.allocate(65536);
            tx = arena.allocate(65536);
            heldTx = arena.allocate(65536);
            StackConfig cfg = new StackConfig().mac("02:5a:00:00:00:02").address(stackIp, 24).randomSeed(id);
            if (tune != null) {
                tune.accept(cfg);
            }
            stack = new NetStack(cfg, Clock.SYSTEM, new FrameSink() {
                @Override
                public MemorySegment acquire(int capacity) {
                    return tx;
                }

                @Override
                public void send(MemorySegment buffer, int length) {
                    if (impair(buffer, length, true)) {
                        return;
                    }
                    try {
                        tap.write(buffer, length);
                    } catch (Throwable t) {
                        failure = t;
                    }
                }

                @Override
                public void flush() {
                }
            });
        } catch (Throwable t) {
            tap.close();
            run("ip", "link", "del", dev);
            throw t;
        }
        loop = new Thread(this::loop, "tap-" + dev);
        loop.setDaemon(true);
        loop.start();
    }

    private void loop() {
        try {
            while (running) {
                Runnable r;
                while ((r = tasks.poll()) != null) {
                    r.run();
                }
                tap.await(1);
                int n;
                for (int i = 0; i < 256 && (n = tap.read(rx)) > 0; i++) {
                    if (!impair(rx, n, false)) {
                        stack.input(rx, n);
                    }
                }
                releaseHeld();
                stack.poll(System.nanoTime());
            }
        } catch (Throwable t) {
            failure = t;
        }
    }

    /** Runs c on the stack's thread and waits for its result. */
    <T> T call(Callable<T> c) throws Exception {
        CompletableFuture<T> f = new CompletableFuture<>();
        tasks.add(() -> {
            try {
                f.complete(c.call());
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        return f.get(30, TimeUnit.SECONDS);
    }

    /** Adds a netem qdisc; false when the kernel has no netem (e.g. a minimal VM kernel). */
    boolean netem(String... args) throws Exception {
        String[] cmd = new String[6 + args.length];
        cmd[0] = "tc";
        cmd[1] = "qdisc";
        cmd[2] = "add";
        cmd[3] = "dev";
        cmd[4] = dev;
        cmd[5] = "root";
        System.arraycopy(args, 0, cmd, 6, args.length);
        return run(cmd) == 0;
    }

    static int run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }

    static String sh(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("timeout: " + String.join(" ", cmd));
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " -> " + p.exitValue() + ": " + out);
        }
        return out;
    }

    @Override
    public void close() throws Exception {
        running = false;
        loop.join(5000);
        try {
            tap.close();
        } finally {
            run("ip", "link", "del", dev);
            arena.close();
        }
    }
}
