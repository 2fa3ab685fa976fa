package yastack.scripting.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.HostAccess;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.SandboxPolicy;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.io.IOAccess;
import yastack.api.PluginStats;

/**
 * One script as configured (a file, a kind, a config block): its current
 * validated {@link Version}, the per-thread contexts running it, and its
 * reload logic.
 *
 * <p>Workers call {@link #enter()} on every invocation: a thread-local lookup
 * and a volatile read in the steady state. When the version changed the
 * thread drops its old context (closed once no stream still uses it) and
 * takes one the reloader prepared, or creates one itself from the version's
 * frozen sources. When the host's file watch reports a change, the new
 * version is compiled and smoke-tested on the watch's thread, off the workers,
 * and published only if every check passed.
 */
public final class ScriptUnit {
    private static final int MAX_PREPARED = 16;

    final HostServices host;
    final String name;
    final Path file;
    final Path root;
    final ScriptKind kind;
    final String configJson;
    final System.Logger log;
    final PluginStats.Counter reloadOk;
    final PluginStats.Counter reloadFailed;
    final PluginStats.Counter errors;
    final PluginStats.Counter timeouts;

    private final ThreadLocal<ScriptContext> local = new ThreadLocal<>();
    private final Set<ScriptContext> all = ConcurrentHashMap.newKeySet();
    private final AtomicInteger threads = new AtomicInteger();
    private volatile Version current;
    private volatile boolean closed;
    private final UnitWatch watching;
    // Guarded by this: the files of the last rejected attempt, misses included.
    private Map<Path, byte[]> lastFailed = Map.of();

    public ScriptUnit(HostServices host, String name, Path file, ScriptKind kind, String configJson) {
        this.host = host;
        this.name = name;
        this.file = file.toAbsolutePath().normalize();
        Path parent = this.file.getParent();
        this.root = this.file.startsWith(host.baseDirectory) ? host.baseDirectory : parent;
        this.kind = kind;
        this.configJson = configJson;
        this.log = System.getLogger("yastack.script." + name);
        String prefix = "script." + name + ".";
        this.reloadOk = host.counter(prefix + "reload_ok");
        this.reloadFailed = host.counter(prefix + "reload_failed");
        this.errors = host.counter(prefix + "errors");
        this.timeouts = host.counter(prefix + "timeouts");
        this.watching = new UnitWatch(host.watch, name, this::onFilesChanged, log);
    }

    public String name() {
        return name;
    }

    public Path file() {
        return file;
    }

    public HostServices host() {
        return host;
    }

    public long generation() {
        Version v = current;
        return v == null ? 0 : v.generation();
    }

    /**
     * Loads the first version and starts watching its files; throws
     * {@link ScriptLoadException} with {@code file:line} if it is broken.
     */
    public void loadInitial() {
        current = compile(1);
        host.units.add(this);
        onFilesChanged();
    }

    /**
     * What the host's file watch calls: reload if the files changed, then watch the files
     * the script now depends on. When that set changed, the files are checked once more,
     * because an edit between this reload's read and the new watch's start reaches neither.
     */
    private synchronized void onFilesChanged() {
        try {
            do {
                reloadIfChanged();
            } while (watching.follow(dependencies()));
        } catch (RuntimeException e) {
            log.log(System.Logger.Level.WARNING, "reloading script " + name + " failed: " + e, e);
        } finally {
            watching.closeReplaced();
        }
    }

    /** The files the current version was built from and those a rejected attempt read or looked for. */
    private List<Path> dependencies() {
        Set<Path> out = new TreeSet<>(current.files().keySet());
        out.add(file);
        lastFailed.forEach((p, bytes) -> {
            // A watch registers a file's directory: a module missing with its directory cannot be watched.
            if (bytes != null || Files.isDirectory(p.getParent())) out.add(p);
        });
        return List.copyOf(out);
    }

    /**
     * The context of the current version for the calling thread, switching
     * versions if a reload happened since this thread's last call.
     */
    public ScriptContext enter() {
        ScriptContext sc = local.get();
        Version v = current;
        if (sc != null && sc.version() == v && !sc.isClosed()) return sc;
        return switchTo(sc, v);
    }

    private ScriptContext switchTo(ScriptContext old, Version v) {
        if (closed) throw new IllegalStateException("script " + name + " is closed");
        ScriptContext fresh;
        do {
            fresh = v.prepared().poll();
        } while (fresh != null && fresh.isClosed());
        if (fresh == null) fresh = newContext(v);
        if (old == null) threads.incrementAndGet();
        else old.releaseOwnerRef();
        local.set(fresh);
        return fresh;
    }

    private ScriptContext newContext(Version v) {
        ScriptContext sc = createContext(v.fileSystem(), v.main());
        sc.bind(v);
        return sc;
    }

    private ScriptContext createContext(SnapshotFileSystem fs, Source main) {
        Context c = Context.newBuilder("js")
                .engine(host.engine)
                .sandbox(SandboxPolicy.CONSTRAINED)
                .allowHostAccess(HostAccess.CONSTRAINED)
                .allowIO(IOAccess.newBuilder().fileSystem(fs).build())
                .out(new LogStream(log, System.Logger.Level.INFO))
                .err(new LogStream(log, System.Logger.Level.WARNING))
                .option("js.esm-eval-returns-exports", "true")
                .build();
        ScriptContext sc = new ScriptContext(c, host.watchdog, host.timeLimit, host.loadTimeLimit);
        all.add(sc);
        sc.onClose(() -> all.remove(sc));
        try {
            sc.initialize(main, configJson);
        } catch (RuntimeException e) {
            all.remove(sc);
            sc.close(true);
            throw e;
        }
        return sc;
    }

    /** Compiles, checks and smoke-tests the files as they are on disk now. */
    private Version compile(long generation) {
        SnapshotFileSystem rec = SnapshotFileSystem.recording(root);
        ScriptContext sc = null;
        try {
            byte[] mainBytes = readMain(rec);
            Source main = Source.newBuilder("js", file.toFile())
                    .content(new String(mainBytes, StandardCharsets.UTF_8))
                    .mimeType("application/javascript+module")
                    .cached(true)
                    .build();
            sc = createContext(rec, main);
            kind.checkExports(sc);
            kind.smoke(this, sc);
            return new Version(generation, rec.files(), main, root);
        } catch (ScriptLoadException e) {
            lastFailed = rec.filesAndMisses();
            throw e;
        } catch (PolyglotException | ScriptTimeoutException e) {
            lastFailed = rec.filesAndMisses();
            throw new ScriptLoadException(ScriptErrors.describe(e, host.baseDirectory), e);
        } catch (IOException e) {
            lastFailed = rec.filesAndMisses();
            throw new ScriptLoadException(relative(file) + ": cannot read: " + e, e);
        } catch (RuntimeException e) {
            lastFailed = rec.filesAndMisses();
            throw new ScriptLoadException(relative(file) + ": " + e, e);
        } finally {
            if (sc != null) {
                all.remove(sc);
                sc.close(true);
            }
        }
    }

    private byte[] readMain(SnapshotFileSystem rec) throws IOException {
        try (var ch = rec.newByteChannel(file, Set.of())) {
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate((int) ch.size());
            while (buf.hasRemaining() && ch.read(buf) >= 0) {
                // read fully
            }
            return buf.array();
        }
    }

    String relative(Path p) {
        return p.startsWith(host.baseDirectory) ? host.baseDirectory.relativize(p).toString() : p.toString();
    }

    /**
     * If any file of the current version (or of the last failed attempt) changed
     * on disk, compiles the new version and, if it passes, publishes it. Returns
     * whether a new version went live.
     */
    private synchronized boolean reloadIfChanged() {
        if (closed) return false;
        Version cur = current;
        Set<Path> ofCurrent = new HashSet<>(cur.files().keySet());
        ofCurrent.add(file);
        if (sameContent(read(ofCurrent), cur.files())) {
            lastFailed = Map.of();
            return false;
        }
        // Don't retry (and log) the same broken files on every change notice.
        if (!lastFailed.isEmpty() && sameContent(read(lastFailed.keySet()), lastFailed)) return false;
        Version next;
        long t0 = System.nanoTime();
        try {
            next = compile(cur.generation() + 1);
        } catch (ScriptLoadException e) {
            // Closing stops the watch, which may interrupt this thread mid-compile: not the script's fault.
            if (closed) return false;
            reloadFailed.inc();
            log.log(System.Logger.Level.WARNING, "script " + name + ": new version rejected, version "
                    + cur.generation() + " keeps serving: " + e.getMessage());
            return false;
        }
        lastFailed = Map.of();
        long t1 = System.nanoTime();
        publish(cur, next);
        reloadOk.inc();
        log.log(System.Logger.Level.INFO, "script " + name + ": version " + next.generation() + " of " + relative(file)
                + " is live (checked in " + (t1 - t0) / 1_000_000 + " ms, " + next.prepared().size() + " worker contexts prepared in "
                + (System.nanoTime() - t1) / 1_000_000 + " ms)");
        return true;
    }

    private void publish(Version old, Version next) {
        int want = Math.min(threads.get(), MAX_PREPARED);
        for (int i = 0; i < want; i++) {
            try {
                next.prepared().add(newContext(next));
            } catch (RuntimeException e) {
                // Workers will create their own; the version itself already passed.
                log.log(System.Logger.Level.DEBUG, "could not prepare a context: " + e);
                break;
            }
        }
        current = next;
        old.discardPrepared();
    }

    private static boolean sameContent(Map<Path, byte[]> disk, Map<Path, byte[]> snapshot) {
        for (Map.Entry<Path, byte[]> e : disk.entrySet()) {
            byte[] s = snapshot.get(e.getKey());
            if (!Arrays.equals(e.getValue(), s)) return false;
        }
        return true;
    }

    private static Map<Path, byte[]> read(Set<Path> paths) {
        Map<Path, byte[]> out = new HashMap<>();
        for (Path p : paths) out.put(p, readOrNull(p));
        return out;
    }

    private static byte[] readOrNull(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            return null;
        }
    }

    /** Stops using this script: each context closes once no call or stream uses it any more. */
    public void close() {
        if (closed) return;
        closed = true;
        watching.close();
        host.units.remove(this);
        Version v = current;
        if (v != null) v.discardPrepared();
        for (ScriptContext sc : all) sc.releaseOwnerRef();
    }

    /** Host shutdown: cancels every context now, running or not. */
    public void forceClose() {
        closed = true;
        watching.close();
        Version v = current;
        if (v != null) v.discardPrepared();
        for (ScriptContext sc : all) sc.close(true);
        all.clear();
    }

    /** Counts a failed invocation and logs it (rate-limited). */
    public void reportFailure(String where, Throwable t) {
        if (t instanceof ScriptTimeoutException) timeouts.inc();
        else errors.inc();
        host.errors.logRateLimited(log, name, "script " + name + " failed in " + where + ": "
                + ScriptErrors.describe(t, host.baseDirectory));
    }
}
