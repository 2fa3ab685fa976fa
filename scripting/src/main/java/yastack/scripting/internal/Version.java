package yastack.scripting.internal;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.graalvm.polyglot.Source;

/**
 * One validated version of a script: the exact bytes of its main file and of
 * every module it imported, frozen when it passed its checks, plus contexts
 * the reloader prepared for workers so that a switch costs them nothing.
 */
record Version(long generation, Map<Path, byte[]> files, Source main, SnapshotFileSystem fileSystem,
               ConcurrentLinkedQueue<ScriptContext> prepared) {
    Version(long generation, Map<Path, byte[]> files, Source main, Path root) {
        this(generation, Map.copyOf(files), main, SnapshotFileSystem.frozen(root, files), new ConcurrentLinkedQueue<>());
    }

    /** Closes the prepared contexts nobody took. */
    void discardPrepared() {
        ScriptContext c;
        while ((c = prepared.poll()) != null) c.close(false);
    }
}
