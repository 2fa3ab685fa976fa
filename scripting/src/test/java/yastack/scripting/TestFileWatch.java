package yastack.scripting;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;
import yastack.api.script.FileWatch;

/**
 * A {@link FileWatch} for tests: {@link #fire()} reports a change to every open watch on the
 * calling thread, so a test decides when a reload happens; {@link #polling} instead compares
 * the files' contents on a thread of its own, as a host would notice edits by itself. Like
 * the kernel's watcher, whose close() stops its thread, closing a watch interrupts the thread
 * delivering its callback, if any.
 */
final class TestFileWatch implements FileWatch, AutoCloseable {
    /** One open watch: what was asked for, and the contents last seen. */
    final class Watch implements AutoCloseable {
        final String name;
        final List<Path> files;
        final Runnable onChange;
        volatile boolean closed;
        private volatile Thread delivering;
        private String seen;

        Watch(String name, List<Path> files, Runnable onChange) {
            this.name = name;
            this.files = List.copyOf(files);
            this.onChange = onChange;
            this.seen = fingerprint(this.files);
        }

        @Override
        public void close() {
            closed = true;
            open.remove(this);
            Thread t = delivering;
            if (t != null) t.interrupt();
        }

        private void deliver() {
            delivering = Thread.currentThread();
            try {
                onChange.run();
            } finally {
                delivering = null;
                // Where a host's watch thread would end, the test's thread goes on.
                Thread.interrupted();
            }
        }
    }

    private final List<Watch> open = new CopyOnWriteArrayList<>();
    private volatile Thread poller;
    private volatile Runnable onNextWatch;

    @Override
    public AutoCloseable watch(String name, List<Path> files, Runnable onChange) {
        Watch w = new Watch(name, files, onChange);
        open.add(w);
        Runnable r = onNextWatch;
        onNextWatch = null;
        if (r != null) r.run();
        return w;
    }

    /** Runs {@code action} once, inside the next {@link #watch} call, after the new watch took its snapshot. */
    void onNextWatch(Runnable action) {
        onNextWatch = action;
    }

    /** Tells every open watch that its files changed, on this thread; returns how many were told. */
    int fire() {
        int n = 0;
        for (Watch w : List.copyOf(open)) {
            if (w.closed) continue;
            w.deliver();
            n++;
        }
        return n;
    }

    /** The open watches named {@code name}. */
    List<Watch> open(String name) {
        return open.stream().filter(w -> w.name.equals(name)).toList();
    }

    /** The files of the one open watch named {@code name}. */
    List<Path> files(String name) {
        List<Watch> ws = open(name);
        if (ws.size() != 1) throw new AssertionError(ws.size() + " open watches named " + name);
        return ws.get(0).files;
    }

    /** Compares the watched files with the disk every {@code interval} and calls back on a change. */
    TestFileWatch polling(Duration interval) {
        Thread t = Thread.ofPlatform().daemon().name("test-file-watch").unstarted(() -> {
            while (poller == Thread.currentThread()) {
                LockSupport.parkNanos(interval.toNanos());
                for (Watch w : List.copyOf(open)) {
                    String now = fingerprint(w.files);
                    if (!w.closed && !now.equals(w.seen)) {
                        w.seen = now;
                        w.deliver();
                    }
                }
            }
        });
        poller = t;
        t.start();
        return this;
    }

    private static String fingerprint(List<Path> files) {
        StringBuilder sb = new StringBuilder();
        for (Path p : files) {
            try {
                byte[] b = Files.readAllBytes(p);
                sb.append(b.length).append(':').append(Arrays.hashCode(b)).append(';');
            } catch (IOException e) {
                sb.append("missing;");
            }
        }
        return sb.toString();
    }

    @Override
    public void close() throws InterruptedException {
        Thread t = poller;
        poller = null;
        if (t != null) t.join(10_000);
    }
}
