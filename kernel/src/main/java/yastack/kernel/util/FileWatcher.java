package yastack.kernel.util;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Watches files (the config, certificates, ...) through their directories and calls back,
 * debounced, when any of their contents change — including editors that replace a file
 * by rename and tools that write in several steps.
 */
public final class FileWatcher implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("yastack");

    private final WatchService service;
    private final Thread thread;

    private FileWatcher(WatchService service, Thread thread) {
        this.service = service;
        this.thread = thread;
    }

    /** Watches {@code files}; null (with a log line) when the platform cannot watch. */
    public static FileWatcher start(String name, List<Path> files, Runnable onChange) {
        List<Path> abs = files.stream().map(f -> f.toAbsolutePath().normalize()).distinct().toList();
        try {
            WatchService ws = FileSystems.getDefault().newWatchService();
            Map<WatchKey, Path> dirs = new HashMap<>();
            for (Path dir : abs.stream().map(Path::getParent).distinct().toList()) {
                dirs.put(dir.register(ws, StandardWatchEventKinds.ENTRY_MODIFY, StandardWatchEventKinds.ENTRY_CREATE), dir);
            }
            Thread t = Thread.ofPlatform().daemon().name(name + "-watch").start(() -> loop(ws, dirs, abs, onChange));
            return new FileWatcher(ws, t);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, name + " watch unavailable (" + e.getMessage() + ")");
            return null;
        }
    }

    private static void loop(WatchService ws, Map<WatchKey, Path> dirs, List<Path> files, Runnable onChange) {
        String last = fingerprint(files);
        try {
            while (true) {
                WatchKey key = ws.take();
                Path dir = dirs.get(key);
                boolean ours = key.pollEvents().stream()
                        .anyMatch(e -> e.context() instanceof Path p && dir != null && files.contains(dir.resolve(p)));
                key.reset();
                if (!ours) continue;
                // Let the writer finish: editors write in several steps.
                TimeUnit.MILLISECONDS.sleep(150);
                while (true) {
                    WatchKey more = ws.poll(100, TimeUnit.MILLISECONDS);
                    if (more == null) break;
                    more.pollEvents();
                    more.reset();
                }
                String now = fingerprint(files);
                if (now != null && !now.equals(last)) {
                    last = now;
                    onChange.run();
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // closing
        }
    }

    /** Content, not mtime: two saves within the file system's timestamp granularity still count. */
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
    public void close() {
        try {
            service.close();
        } catch (IOException ignored) {
            // nothing left to release
        }
        thread.interrupt();
    }
}
