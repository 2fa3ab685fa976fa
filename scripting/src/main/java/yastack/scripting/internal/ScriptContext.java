package yastack.scripting.internal;

import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;

/**
 * One GraalJS context running one version of one script, used by one thread
 * at a time (a worker, or the reloader while it prepares the context). Every
 * entry into JavaScript goes through {@link #call}, which arms the
 * {@link Watchdog}: a call that overruns the time limit is interrupted and
 * surfaces as {@link ScriptTimeoutException}; the context stays usable.
 *
 * <p>Lifetime: the owning thread holds one reference while the context is
 * its current one for the script; each stream pinned to it (a filter whose
 * stream has not completed) and each running call holds another. The context
 * closes when the last reference goes, so in-flight streams finish on the
 * version they began on.
 */
public final class ScriptContext {
    private static final Source PRELUDE = Source.newBuilder("js", """
            (function () {
              'use strict';
              const deny = function () {
                throw new EvalError('yastack scripts may not compile code from strings');
              };
              deny.prototype = Function.prototype;
              for (const f of [function () {}, async function () {}, function* () {}, async function* () {}]) {
                Object.defineProperty(Object.getPrototypeOf(f), 'constructor', {value: deny, writable: false, configurable: false});
              }
              for (const name of ['eval', 'Function', 'load', 'loadWithNewGlobal']) {
                if (name in globalThis) Object.defineProperty(globalThis, name, {value: deny, writable: false, configurable: false});
              }
            })();
            """, "yastack-prelude.js").cached(true).buildLiteral();
    private static final Source NEW_PROMISE = Source.newBuilder("js", "(function (executor) { return new Promise(executor); })",
            "yastack-promise.js").buildLiteral();
    private static final Source JSON_PARSE = Source.newBuilder("js", "JSON.parse", "yastack-json.js").buildLiteral();

    private final Context context;
    private final Watchdog watchdog;
    private final long limitNanos;
    private final long loadLimitNanos;
    /** While true (module top level, smoke calls) the more generous load limit applies. */
    private boolean loading = true;
    private final AtomicInteger refs = new AtomicInteger(1);
    private final java.util.concurrent.atomic.AtomicBoolean ownerRef = new java.util.concurrent.atomic.AtomicBoolean(true);
    private Version version;
    private Runnable onClose = () -> {};
    private Object api;
    private final java.util.Map<String, Value> functions = new java.util.HashMap<>();
    private Value exports;
    private Value newPromise;
    private Value config;

    // Written by the owner, read by the watchdog.
    private volatile long deadline;
    private volatile long callSeq;
    private volatile boolean interruptedByWatchdog;
    private volatile boolean closed;
    private int depth;

    ScriptContext(Context context, Watchdog watchdog, Duration limit, Duration loadLimit) {
        this.context = context;
        this.watchdog = watchdog;
        this.limitNanos = limit.toNanos();
        this.loadLimitNanos = Math.max(limit.toNanos(), loadLimit.toNanos());
    }

    /** Runs the prelude, then the module; keeps its exports. */
    void initialize(Source module, String configJson) {
        watchdog.register(this);
        call(() -> {
            context.eval(PRELUDE);
            exports = context.eval(module);
            newPromise = context.eval(NEW_PROMISE);
            config = context.eval(JSON_PARSE).execute(configJson);
            return null;
        });
    }

    /** Marks the context as serving {@code v}: from now on the per-call limit applies. */
    void bind(Version v) {
        this.version = v;
        this.loading = false;
    }

    Version version() {
        return version;
    }

    public Value exports() {
        return exports;
    }

    /** The export {@code name} if it is a function, else {@code null}; looked up once. */
    public Value function(String name) {
        Value f = functions.get(name);
        if (f == null && !functions.containsKey(name)) {
            Value v = call(() -> exports.getMember(name));
            f = v != null && v.canExecute() ? v : null;
            functions.put(name, f);
        }
        return f;
    }

    /** Evaluates a host-provided helper (never user input); call inside {@link #call}. */
    Value eval(Source helper) {
        return context.eval(helper);
    }

    /** Something the policy keeps per context (e.g. the router's {@code ctx} object). */
    public Object api() {
        return api;
    }

    public void api(Object a) {
        this.api = a;
    }

    void onClose(Runnable r) {
        this.onClose = r;
    }

    /** The script's {@code config} block as a JavaScript value. */
    public Value config() {
        return config;
    }

    /** Makes a JavaScript promise whose executor is {@code executor}; call only inside {@link #call}. */
    public Value newPromise(Object executor) {
        return newPromise.execute(executor);
    }

    /** Calls {@code fn} with {@code args} under the time limit. */
    public Value execute(Value fn, Object... args) {
        return call(() -> fn.execute(args));
    }

    /** Runs {@code body} (which enters this context) under the time limit. */
    public <T> T call(java.util.function.Supplier<T> body) {
        if (closed) throw new IllegalStateException("script context is closed");
        boolean outer = depth++ == 0;
        if (outer) {
            refs.incrementAndGet();
            callSeq++;
            deadline = System.nanoTime() + (loading ? loadLimitNanos : limitNanos);
        }
        try {
            return body.get();
        } catch (PolyglotException e) {
            if (e.isCancelled()) closed = true;
            if ((e.isInterrupted() || e.isCancelled()) && interruptedByWatchdog) {
                throw new ScriptTimeoutException(Duration.ofNanos(loading ? loadLimitNanos : limitNanos), e);
            }
            throw e;
        } finally {
            depth--;
            if (outer) {
                deadline = 0;
                interruptedByWatchdog = false;
                release();
            }
        }
    }

    /** Called by the watchdog: interrupts the call running since {@code seq} if it still runs. */
    void interruptIfStillRunning(long seq, Duration grace) {
        if (closed || callSeq != seq || deadline == 0) return;
        interruptedByWatchdog = true;
        try {
            context.interrupt(grace);
        } catch (TimeoutException e) {
            // The script did not reach a safepoint in time: cancel the whole context;
            // its thread makes a fresh one on its next call.
            close(true);
        } catch (IllegalStateException e) {
            close(true);
        }
    }

    long deadline() {
        return deadline;
    }

    long callSeq() {
        return callSeq;
    }

    public boolean isClosed() {
        return closed;
    }

    /** Pins the context for one more user (a stream). */
    public void retain() {
        refs.incrementAndGet();
    }

    /** Drops the owning thread's reference (once): the thread moved on, or the script was closed. */
    public void releaseOwnerRef() {
        if (ownerRef.compareAndSet(true, false)) release();
    }

    /** Drops one reference; the last one closes the context. */
    public void release() {
        if (refs.decrementAndGet() == 0) close(false);
    }

    /** Closes now; {@code force} also cancels a running call (host shutdown). */
    void close(boolean force) {
        closed = true;
        watchdog.unregister(this);
        onClose.run();
        try {
            context.close(force);
        } catch (IllegalStateException | PolyglotException e) {
            // Still entered by another thread (only possible on forced shutdown paths): cancel it.
            try {
                context.close(true);
            } catch (RuntimeException ignored) {
                // Already closing.
            }
        }
    }
}
