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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Watches files (the config, certificates, scripts, ...) through their directories and
 * calls back, debounced, when any of their contents change: editors that replace a file by
 * rename, tools that write in several steps, and Kubernetes, which updates a mounted
 * ConfigMap by pointing a {@code ..data} symbolic link at a new directory and never writes
 * the file the config names. So every directory holding a link on the way to a file is
 * watched too, any event in a watched directory leads to a look at the contents, and the
 * directories are looked up again after each change (the ones behind a swapped link are new).
 */
public final class FileWatcher implements AutoCloseable {
    private static final System.Logger LOG = Logs.get("yastack");
    /** Links followed while looking for directories to watch; more means a loop. */
    private static final int MAX_LINKS = 16;

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
            register(ws, dirs, abs);
            // Read before returning: a change made right after start must count as one.
            String initial = fingerprint(abs);
            Thread t = Thread.ofPlatform().daemon().name(name + "-watch").start(() -> loop(ws, dirs, abs, initial, onChange));
            return new FileWatcher(ws, t);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, name + " watch unavailable (" + e.getMessage() + ")");
            return null;
        }
    }

    private static void loop(WatchService ws, Map<WatchKey, Path> dirs, List<Path> files, String initial, Runnable onChange) {
        String last = initial;
        try {
            while (true) {
                settle(ws, dirs, ws.take());
                // Let the writer finish: editors write in several steps.
                TimeUnit.MILLISECONDS.sleep(150);
                WatchKey more;
                while ((more = ws.poll(100, TimeUnit.MILLISECONDS)) != null) settle(ws, dirs, more);
                register(ws, dirs, files);
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

    /** Consumes a key's events; a key whose directory is gone is dropped. */
    private static void settle(WatchService ws, Map<WatchKey, Path> dirs, WatchKey key) {
        key.pollEvents();
        if (!key.reset()) dirs.remove(key);
    }

    /** Watches every directory the files' paths depend on; ones that do not exist (yet) are skipped. */
    private static void register(WatchService ws, Map<WatchKey, Path> dirs, List<Path> files) {
        Set<Path> wanted = new LinkedHashSet<>();
        for (Path f : files) directoriesOf(f, wanted);
        for (Path dir : wanted) {
            try {
                dirs.put(dir.register(ws, StandardWatchEventKinds.ENTRY_MODIFY, StandardWatchEventKinds.ENTRY_CREATE,
                        StandardWatchEventKinds.ENTRY_DELETE), dir);
            } catch (IOException | ClosedWatchServiceException e) {
                // not there now; looked for again after the next change
            }
        }
    }

    /**
     * The directory of {@code file}, and each directory holding a symbolic link on the way to
     * it (following the links' targets): a change of any of those links changes the file.
     */
    static Set<Path> directoriesOf(Path file, Set<Path> into) {
        if (file.getParent() != null) into.add(file.getParent());
        linkDirectories(file, into, new int[] {0});
        return into;
    }

    private static void linkDirectories(Path path, Set<Path> into, int[] links) {
        Path current = path.getRoot();
        if (current == null) return;
        for (Path name : path) {
            Path next = current.resolve(name);
            if (Files.isSymbolicLink(next)) {
                if (++links[0] > MAX_LINKS) return;
                into.add(current);
                try {
                    next = current.resolve(Files.readSymbolicLink(next)).normalize();
                } catch (IOException e) {
                    return;
                }
                linkDirectories(next, into, links);
            }
            current = next;
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
