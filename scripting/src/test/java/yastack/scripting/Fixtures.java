package yastack.scripting;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import yastack.api.Cancellable;
import yastack.api.HttpStream;
import yastack.api.WorkerContext;
import yastack.scripting.internal.Synthetic;

/** Script files in a temp directory, and fake workers/streams for driving policies directly. */
final class Fixtures {
    private Fixtures() {}

    /** Writes {@code text} to {@code dir/name} atomically (temp file + rename), as an editor or deploy tool would. */
    static Path write(Path dir, String name, String text) {
        try {
            Path p = dir.resolve(name);
            Files.createDirectories(p.getParent());
            Path tmp = Files.createTempFile(p.getParent(), ".tmp", ".js");
            Files.writeString(tmp, text);
            Files.move(tmp, p, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ScriptHost host(Path dir) {
        return ScriptHost.builder().baseDirectory(dir).watchFiles(false).timeLimit(Duration.ofMillis(200)).build();
    }

    static Synthetic.Request get(String uri, String... headers) {
        Synthetic.Request r = new Synthetic.Request("GET", uri);
        for (int i = 0; i + 1 < headers.length; i += 2) r.headers().add(headers[i], headers[i + 1]);
        return r;
    }

    static HttpStream stream() {
        return Synthetic.stream("public", Synthetic.inlineWorker());
    }

    /** A worker backed by one real thread, like a kernel event loop. */
    static final class ThreadWorker implements WorkerContext, AutoCloseable {
        final ExecutorService executor;
        volatile Thread thread;

        ThreadWorker(String name) {
            ThreadFactory tf = r -> {
                Thread t = new Thread(r, name);
                thread = t;
                return t;
            };
            executor = Executors.newSingleThreadExecutor(tf);
        }

        @Override
        public int index() {
            return 0;
        }

        @Override
        public java.util.concurrent.Executor executor() {
            return executor;
        }

        @Override
        public Cancellable schedule(Duration delay, Runnable task) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean inWorker() {
            return Thread.currentThread() == thread;
        }

        @Override
        public void close() {
            executor.shutdownNow();
        }
    }
}
