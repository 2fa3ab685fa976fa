package yastack.scripting.internal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import yastack.api.script.FileWatch;

/**
 * The host's watch on the files one script depends on. A new version may import other
 * modules than the last, so the watch follows the set: the new set is watched before the
 * old watch closes, so no change falls between the two.
 */
final class UnitWatch {
    private final FileWatch watch;
    private final String name;
    private final Runnable onChange;
    private final System.Logger log;
    private AutoCloseable current;
    private List<Path> files = List.of();
    private final List<AutoCloseable> replaced = new ArrayList<>();
    private boolean closed;

    UnitWatch(FileWatch watch, String name, Runnable onChange, System.Logger log) {
        this.watch = watch;
        this.name = name;
        this.onChange = onChange;
        this.log = log;
    }

    /**
     * Watches {@code next} instead of the files watched so far; whether the set changed.
     * The old watch stays open until {@link #closeReplaced()}.
     */
    synchronized boolean follow(List<Path> next) {
        if (closed || next.equals(files)) return false;
        AutoCloseable opened = null;
        String why = "no watch returned";
        try {
            opened = watch.watch("script " + name, next, onChange);
        } catch (RuntimeException e) {
            why = e.toString();
        }
        if (opened == null) {
            // The old watch still covers most of the files: keep it rather than watch nothing.
            log.log(System.Logger.Level.WARNING, "script " + name + ": cannot watch " + next + " (" + why
                    + "); edits to them are not noticed");
            return false;
        }
        if (current != null) replaced.add(current);
        current = opened;
        files = next;
        return true;
    }

    /**
     * Closes the watches {@link #follow} replaced. Called last in a change callback: closing
     * a watch may interrupt the thread delivering its callback (the kernel's watcher stops
     * its thread that way), and an interrupted thread can no longer run JavaScript.
     */
    void closeReplaced() {
        List<AutoCloseable> old;
        synchronized (this) {
            old = List.copyOf(replaced);
            replaced.clear();
        }
        old.forEach(this::closeQuietly);
    }

    void close() {
        List<AutoCloseable> all;
        synchronized (this) {
            closed = true;
            all = new ArrayList<>(replaced);
            if (current != null) all.add(current);
            replaced.clear();
            current = null;
        }
        // Outside the lock: a callback running meanwhile may be waiting for it in follow().
        all.forEach(this::closeQuietly);
    }

    private void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            log.log(System.Logger.Level.DEBUG, "closing the watch of script " + name + ": " + e);
        }
    }
}
