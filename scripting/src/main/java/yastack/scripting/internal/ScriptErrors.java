package yastack.scripting.internal;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.SourceSection;

/** Turns script failures into one-line messages with {@code file:line}, and rate-limits their logging. */
public final class ScriptErrors {
    private static final long LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final Map<String, AtomicLong> lastLog = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> suppressed = new ConcurrentHashMap<>();

    /** {@code file:line:column: message} for a guest error, relative to {@code base} where possible. */
    public static String describe(Throwable t, Path base) {
        if (t instanceof ScriptTimeoutException) return t.getMessage();
        if (!(t instanceof PolyglotException e)) return String.valueOf(t);
        SourceSection at = e.getSourceLocation();
        if (at == null) {
            for (PolyglotException.StackFrame f : e.getPolyglotStackTrace()) {
                if (f.isGuestFrame() && f.getSourceLocation() != null && f.getSourceLocation().getSource().getPath() != null) {
                    at = f.getSourceLocation();
                    break;
                }
            }
        }
        String msg = e.getMessage() == null ? e.toString() : firstLine(e.getMessage());
        if (at == null || !at.isAvailable()) return msg;
        return location(at, base) + ": " + msg;
    }

    private static String location(SourceSection at, Path base) {
        String path = at.getSource().getPath();
        String shown = at.getSource().getName();
        if (path != null) {
            Path p = Path.of(path).toAbsolutePath().normalize();
            shown = base != null && p.startsWith(base) ? base.relativize(p).toString() : p.toString();
        }
        return shown + ":" + at.getStartLine() + ":" + at.getStartColumn();
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    /**
     * Logs {@code message} for script {@code script} unless one was logged in
     * the last 10 s; the next line says how many were held back.
     */
    public void logRateLimited(System.Logger log, String script, String message) {
        long now = System.nanoTime();
        AtomicLong last = lastLog.computeIfAbsent(script, k -> new AtomicLong(now - 2 * LOG_INTERVAL_NANOS));
        AtomicLong held = suppressed.computeIfAbsent(script, k -> new AtomicLong());
        long l = last.get();
        if (now - l < LOG_INTERVAL_NANOS || !last.compareAndSet(l, now)) {
            held.incrementAndGet();
            return;
        }
        long n = held.getAndSet(0);
        log.log(System.Logger.Level.WARNING, message + (n > 0 ? " (" + n + " more failures since the last report)" : ""));
    }
}
