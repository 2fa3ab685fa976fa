package yastack.plugin.accesslog;

import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
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
 *
 * <p>Log rotation: a file is reopened by name when {@link #reopen} asks (SIGUSR1,
 * {@code POST /reopen_logs}) and, checked once a second, when the name no longer leads to the
 * file being written (logrotate renamed or removed it), so no line lands in a rotated file
 * for long and none is lost.
 */
final class LogWriter implements AutoCloseable {
    private static final Map<String, LogWriter> OPEN = new HashMap<>();
    private static final long CHECK_NANOS = TimeUnit.SECONDS.toNanos(1);

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
    /** The file, or null for stdout/stderr (never reopened). */
    private final Path file;
    private final PluginStats.Counter dropped;
    private final PluginStats.Counter writeErrors;
    private final PluginStats.Counter reopened;
    private final System.Logger log;
    private final Thread thread;
    private volatile boolean closing;
    private volatile boolean reopenAsked;
    /** Only the writer thread touches these after construction. */
    private Writer out;
    private Object fileKey;
    private long nextCheck;

    private LogWriter(String target, int capacity, PluginStats stats, System.Logger log) throws IOException {
        this.target = target;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.dropped = stats.counter("dropped");
        this.writeErrors = stats.counter("write_errors");
        this.reopened = stats.counter("reopened");
        this.log = log;
        switch (target) {
            case "stdout" -> { file = null; out = new OutputStreamWriter(System.out, StandardCharsets.UTF_8); }
            case "stderr" -> { file = null; out = new OutputStreamWriter(System.err, StandardCharsets.UTF_8); }
            default -> {
                file = Path.of(target);
                openFile();
            }
        }
        this.thread = Thread.ofPlatform().daemon().name("yastack-access-log").unstarted(this::run);
        thread.start();
    }

    private void openFile() throws IOException {
        if (file.getParent() != null) Files.createDirectories(file.getParent());
        OutputStream os = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
        out = new OutputStreamWriter(os, StandardCharsets.UTF_8);
        fileKey = keyOf(file);
        nextCheck = System.nanoTime() + CHECK_NANOS;
    }

    private static Object keyOf(Path p) throws IOException {
        try {
            return Files.readAttributes(p, BasicFileAttributes.class).fileKey();
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** Queues {@code line} (without newline); never blocks. */
    void offer(String line) {
        if (closing || !queue.offer(line)) dropped.inc();
    }

    /** Asks the writer thread to reopen the file by name before its next write. */
    void reopen() {
        reopenAsked = true;
    }

    private void run() {
        List<String> batch = new ArrayList<>();
        while (true) {
            try {
                String first = queue.poll(100, TimeUnit.MILLISECONDS);
                // After the poll: a line logged after reopen() was asked goes to the new file.
                rotateIfNeeded();
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
                log.log(System.Logger.Level.WARNING, "access log " + target + ": write failed: " + e);
            }
            batch.clear();
        }
    }

    /** Reopens when asked, or when the name now leads to another file or to none (rotated away). */
    private void rotateIfNeeded() throws IOException {
        if (file == null) return;
        boolean asked = reopenAsked;
        if (!asked) {
            long now = System.nanoTime();
            if (now - nextCheck < 0) return;
            nextCheck = now + CHECK_NANOS;
            Object key = keyOf(file);
            // Without file keys (a file system that has none) only a missing file is noticed.
            if (key != null && (fileKey == null || key.equals(fileKey))) return;
        }
        reopenAsked = false;
        try {
            out.close();
        } catch (IOException e) {
            log.log(System.Logger.Level.WARNING, "access log " + target + ": closing for reopen failed: " + e);
        }
        openFile();
        reopened.inc();
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
            if (file != null) out.close();
            else out.flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            log.log(System.Logger.Level.WARNING, "closing access log failed: " + e);
        }
    }
}
