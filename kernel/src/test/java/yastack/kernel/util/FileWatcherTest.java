package yastack.kernel.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import yastack.kernel.fixtures.ConfigMapVolume;

class FileWatcherTest {
    @TempDir
    Path tmp;

    /** Each callback puts the file's content as read then. */
    private final LinkedBlockingQueue<String> seen = new LinkedBlockingQueue<>();

    private FileWatcher watch(Path file) {
        FileWatcher w = FileWatcher.start("test", List.of(file), () -> {
            try {
                seen.add(Files.readString(file));
            } catch (Exception e) {
                seen.add("unreadable: " + e);
            }
        });
        assertNotNull(w);
        return w;
    }

    private String next() throws InterruptedException {
        String s = seen.poll(10, TimeUnit.SECONDS);
        assertNotNull(s, "no change reported within 10 s");
        return s;
    }

    @Test
    void aFileWrittenInPlaceOrReplacedByRenameIsReported() throws Exception {
        Path f = tmp.resolve("yastack.yaml");
        Files.writeString(f, "one");
        try (FileWatcher w = watch(f)) {
            Files.writeString(f, "two");
            assertEquals("two", next());
            Path staged = tmp.resolve(".yastack.yaml.swp");
            Files.writeString(staged, "three");
            Files.move(staged, f, StandardCopyOption.ATOMIC_MOVE);
            assertEquals("three", next());
        }
    }

    @Test
    void aConfigMapDataSwapIsReportedEveryTime() throws Exception {
        ConfigMapVolume vol = new ConfigMapVolume(tmp.resolve("config"), Map.of("yastack.yaml", "v1", "other.txt", "x"));
        Path f = vol.file("yastack.yaml");
        try (FileWatcher w = watch(f)) {
            vol.update(Map.of("yastack.yaml", "v2", "other.txt", "x"));
            assertEquals("v2", next());
            // The first swap deleted the directory the file was in: the watch must follow.
            vol.update(Map.of("yastack.yaml", "v3", "other.txt", "x"));
            assertEquals("v3", next());
            // Another key changing leaves this file's content alone: no callback.
            vol.update(Map.of("yastack.yaml", "v3", "other.txt", "y"));
            vol.update(Map.of("yastack.yaml", "v4", "other.txt", "y"));
            assertEquals("v4", next(), "a swap that left the file alone must not be reported");
        }
    }

    @Test
    void aFileUnderANestedItemPathFollowsTheSwap() throws Exception {
        ConfigMapVolume vol = new ConfigMapVolume(tmp.resolve("scripts"), Map.of("filters/auth.js", "a1"));
        Path f = vol.file("filters/auth.js");
        assertTrue(Files.isSymbolicLink(vol.file("filters")));
        try (FileWatcher w = watch(f)) {
            vol.update(Map.of("filters/auth.js", "a2"));
            assertEquals("a2", next());
            vol.update(Map.of("filters/auth.js", "a3"));
            assertEquals("a3", next());
        }
    }

    @Test
    void directoriesOfAConfigMapFileIncludeTheMountRoot() {
        ConfigMapVolume vol = new ConfigMapVolume(tmp.resolve("cm"), Map.of("filters/auth.js", "a"));
        var dirs = FileWatcher.directoriesOf(vol.file("filters/auth.js").toAbsolutePath(), new LinkedHashSet<>());
        assertTrue(dirs.contains(vol.dir().toAbsolutePath()), dirs.toString());
        assertTrue(dirs.contains(vol.file("filters").toAbsolutePath()), dirs.toString());
    }
}
