package yastack.kernel.runtime;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Watches the config file's directory and calls back (debounced) when the file changes,
 * including editors that replace the file by rename.
 */
final class ConfigWatcher implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger("yastack");

    private final WatchService service;
    private final Thread thread;

    private ConfigWatcher(WatchService service, Thread thread) {
        this.service = service;
        this.thread = thread;
    }

    static ConfigWatcher start(Path file, Runnable onChange) {
        Path abs = file.toAbsolutePath().normalize();
        try {
            WatchService ws = FileSystems.getDefault().newWatchService();
            abs.getParent().register(ws, StandardWatchEventKinds.ENTRY_MODIFY, StandardWatchEventKinds.ENTRY_CREATE);
            Thread t = Thread.ofPlatform().daemon().name("config-watch").start(() -> loop(ws, abs, onChange));
            return new ConfigWatcher(ws, t);
        } catch (IOException e) {
            LOG.warning("config watch unavailable (" + e.getMessage() + "); use POST /reload on the admin API");
            return null;
        }
    }

    private static void loop(WatchService ws, Path file, Runnable onChange) {
        String last = fingerprint(file);
        try {
            while (true) {
                WatchKey key = ws.take();
                boolean ours = key.pollEvents().stream().anyMatch(e -> file.getFileName().equals(e.context()));
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
                String now = fingerprint(file);
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
    private static String fingerprint(Path p) {
        try {
            byte[] b = Files.readAllBytes(p);
            return b.length + ":" + java.util.Arrays.hashCode(b);
        } catch (IOException e) {
            return null;
        }
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
