package yastack.plugin.accesslog;

import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import yastack.api.PluginStats;

/**
 * Writes log lines on its own thread so workers never wait for the disk: they
 * {@link #offer} a line into a bounded queue, and when the queue is full the
 * line is dropped and counted rather than slowing the proxy down. One writer per
 * file, shared by every logger that writes there ({@link #open}): a reload that keeps
 * a listener's log makes no second writer on the same file.
 */
final class LogWriter implements AutoCloseable {
    private static final Map<String, LogWriter> OPEN = new HashMap<>();

    private final String target;
    private int users;

    /** The writer of {@code target} ({@code stdout}, {@code stderr} or a file), opened on first use. */
    static LogWriter open(String target, int capacity, PluginStats stats, System.Logger log) throws IOException {
        synchronized (OPEN) {
            LogWriter w = OPEN.get(target);
            if (w == null) {
                w = new LogWriter(target, capacity, stats, log);
                OPEN.put(target, w);
            }
            w.users++;
            return w;
        }
    }

    private final BlockingQueue<String> queue;
    private final Writer out;
    private final boolean closeOut;
    private final PluginStats.Counter dropped;
    private final PluginStats.Counter writeErrors;
    private final System.Logger log;
    private final Thread thread;
    private volatile boolean closing;

    private LogWriter(String target, int capacity, PluginStats stats, System.Logger log) throws IOException {
        this.target = target;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.dropped = stats.counter("dropped");
        this.writeErrors = stats.counter("write_errors");
        this.log = log;
        OutputStream os;
        switch (target) {
            case "stdout" -> { os = System.out; closeOut = false; }
            case "stderr" -> { os = System.err; closeOut = false; }
            default -> {
                Path p = Path.of(target);
                if (p.getParent() != null) Files.createDirectories(p.getParent());
                os = Files.newOutputStream(p, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
                closeOut = true;
            }
        }
        this.out = new OutputStreamWriter(os, StandardCharsets.UTF_8);
        this.thread = Thread.ofPlatform().daemon().name("yastack-access-log").unstarted(this::run);
        thread.start();
    }

    /** Queues {@code line} (without newline); never blocks. */
    void offer(String line) {
        if (closing || !queue.offer(line)) dropped.inc();
    }

    private void run() {
        List<String> batch = new ArrayList<>();
        while (true) {
            try {
                String first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    if (closing && queue.isEmpty()) break;
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch);
                for (String l : batch) {
                    out.write(l);
                    out.write('\n');
                }
                out.flush();
            } catch (InterruptedException e) {
                closing = true;
            } catch (IOException e) {
                writeErrors.inc();
                log.log(System.Logger.Level.WARNING, "access log write failed: " + e);
            }
            batch.clear();
        }
    }

    /** One user is done; the last one's close writes what is queued, then stops the thread and closes the file. */
    @Override
    public void close() {
        synchronized (OPEN) {
            if (--users > 0) return;
            OPEN.remove(target);
        }
        closing = true;
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
            if (closeOut) out.close();
            else out.flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            log.log(System.Logger.Level.WARNING, "closing access log failed: " + e);
        }
    }
}
